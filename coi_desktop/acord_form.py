"""Facts of the ACORD 25 (2016/03) form itself, shared by the reader and the generator.

The coverage table's sections (rows) and the coverages each holds, the limit keys of each,
and the AcroForm names of a row's fields and check boxes. Only what the form says lives
here: how to read a page (review/) or how to print one (samples/) stays with each, so the
generator's truth is never the reader's logic by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

# Coverage names of the extraction JSON (acord25.md) and the tracker (tracker-api.md).
GL = "general_liability"
AUTO = "automobile_liability"
UMBRELLA = "umbrella_liability"
EXCESS = "excess_liability"
WC = "workers_compensation"
OTHER_COVERAGES = ("professional_liability", "pollution_liability", "builders_risk", "other")

# The sections (rows) of the coverage table, top to bottom, and the section that holds each
# coverage (the umbrella row also holds excess; the other row any of OTHER_COVERAGES).
SECTIONS = ("gl", "auto", "umbrella", "wc", "other")
SECTION_OF: dict[str, str] = {
    GL: "gl",
    AUTO: "auto",
    UMBRELLA: "umbrella",
    EXCESS: "umbrella",
    WC: "wc",
    **{coverage: "other" for coverage in OTHER_COVERAGES},
}


@dataclass(frozen=True)
class RowFields:
    """The AcroForm field names of one section (row) of the coverage table."""

    letter: str
    additional_insured: str | None
    waiver: str
    policy_number: str
    effective: str
    expiration: str
    limits: dict[str, str]


# The fields of each section: one set per row, so a filled form holds one policy per row.
FORM_ROWS: dict[str, RowFields] = {
    "gl": RowFields(
        letter="GeneralLiability_InsurerLetterCode_A",
        additional_insured="CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A",
        waiver="Policy_GeneralLiability_SubrogationWaivedCode_A",
        policy_number="Policy_GeneralLiability_PolicyNumberIdentifier_A",
        effective="Policy_GeneralLiability_EffectiveDate_A",
        expiration="Policy_GeneralLiability_ExpirationDate_A",
        limits={
            "each_occurrence": "GeneralLiability_EachOccurrence_LimitAmount_A",
            "damage_to_rented_premises": (
                "GeneralLiability_FireDamageRentedPremises_EachOccurrenceLimitAmount_A"
            ),
            "medical_expense": "GeneralLiability_MedicalExpense_EachPersonLimitAmount_A",
            "personal_advertising_injury": (
                "GeneralLiability_PersonalAndAdvertisingInjury_LimitAmount_A"
            ),
            "general_aggregate": "GeneralLiability_GeneralAggregate_LimitAmount_A",
            "products_completed_ops_aggregate": (
                "GeneralLiability_ProductsAndCompletedOperations_AggregateLimitAmount_A"
            ),
        },
    ),
    "auto": RowFields(
        letter="Vehicle_InsurerLetterCode_A",
        additional_insured="CertificateOfInsurance_AutomobileLiability_AdditionalInsuredCode_A",
        waiver="Policy_AutomobileLiability_SubrogationWaivedCode_A",
        policy_number="Policy_AutomobileLiability_PolicyNumberIdentifier_A",
        effective="Policy_AutomobileLiability_EffectiveDate_A",
        expiration="Policy_AutomobileLiability_ExpirationDate_A",
        limits={
            "combined_single_limit": "Vehicle_CombinedSingleLimit_EachAccidentAmount_A",
            "bodily_injury_per_person": "Vehicle_BodilyInjury_PerPersonLimitAmount_A",
            "bodily_injury_per_accident": "Vehicle_BodilyInjury_PerAccidentLimitAmount_A",
            "property_damage": "Vehicle_PropertyDamage_PerAccidentLimitAmount_A",
        },
    ),
    "umbrella": RowFields(
        letter="ExcessUmbrella_InsurerLetterCode_A",
        additional_insured="CertificateOfInsurance_ExcessLiability_AdditionalInsuredCode_A",
        waiver="Policy_ExcessLiability_SubrogationWaivedCode_A",
        policy_number="Policy_ExcessLiability_PolicyNumberIdentifier_A",
        effective="Policy_ExcessLiability_EffectiveDate_A",
        expiration="Policy_ExcessLiability_ExpirationDate_A",
        limits={
            "each_occurrence": "ExcessUmbrella_Umbrella_EachOccurrenceAmount_A",
            "aggregate": "ExcessUmbrella_Umbrella_AggregateAmount_A",
            "retention": "ExcessUmbrella_Umbrella_DeductibleOrRetentionAmount_A",
        },
    ),
    "wc": RowFields(
        letter="WorkersCompensationEmployersLiability_InsurerLetterCode_A",
        additional_insured=None,  # printed "N / A" on the form
        waiver="Policy_WorkersCompensation_SubrogationWaivedCode_A",
        policy_number="Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A",
        effective="Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A",
        expiration="Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A",
        limits={
            "el_each_accident": (
                "WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A"
            ),
            "el_disease_each_employee": (
                "WorkersCompensationEmployersLiability_EmployersLiability_"
                "DiseaseEachEmployeeLimitAmount_A"
            ),
            "el_disease_policy_limit": (
                "WorkersCompensationEmployersLiability_EmployersLiability_"
                "DiseasePolicyLimitAmount_A"
            ),
        },
    ),
    "other": RowFields(
        letter="OtherPolicy_InsurerLetterCode_A",
        additional_insured="CertificateOfInsurance_OtherPolicy_AdditionalInsuredCode_A",
        waiver="OtherPolicy_SubrogationWaivedCode_A",
        policy_number="OtherPolicy_PolicyNumberIdentifier_A",
        effective="OtherPolicy_PolicyEffectiveDate_A",
        expiration="OtherPolicy_PolicyExpirationDate_A",
        limits={"limit": "OtherPolicy_CoverageLimitAmount_A"},
    ),
}

# The limit amount boxes of each section, top to bottom, as `FORM_ROWS` lists them (workers
# compensation's PER STATUTE is a check box, not an amount).
LIMIT_KEYS: dict[str, tuple[str, ...]] = {
    section: tuple(row.limits) for section, row in FORM_ROWS.items()
}

# The limits of a policy of each coverage in the extraction JSON: its section's amounts,
# and for workers compensation `statutory` (true/false) first.
COVERAGE_LIMIT_KEYS: dict[str, tuple[str, ...]] = {
    coverage: ("statutory", *LIMIT_KEYS[section]) if coverage == WC else LIMIT_KEYS[section]
    for coverage, section in SECTION_OF.items()
}

# Checkboxes that depend on a policy's details.
GL_BOX = "GeneralLiability_CoverageIndicator_A"
GL_OCCUR_BOX = "GeneralLiability_OccurrenceIndicator_A"
GL_CLAIMS_BOX = "GeneralLiability_ClaimsMadeIndicator_A"
GL_AGGREGATE_BOXES: dict[str, str] = {
    "policy": "GeneralLiability_GeneralAggregate_LimitAppliesPerPolicyIndicator_A",
    "project": "GeneralLiability_GeneralAggregate_LimitAppliesPerProjectIndicator_A",
    "location": "GeneralLiability_GeneralAggregate_LimitAppliesPerLocationIndicator_A",
}
AUTO_BOXES: dict[str, str] = {
    "any": "Vehicle_AnyAutoIndicator_A",
    "owned": "Vehicle_AllOwnedAutosIndicator_A",
    "hired": "Vehicle_HiredAutosIndicator_A",
    "scheduled": "Vehicle_ScheduledAutosIndicator_A",
    "non_owned": "Vehicle_NonOwnedAutosIndicator_A",
}
UMBRELLA_BOX = "Policy_PolicyType_UmbrellaIndicator_A"
EXCESS_BOX = "Policy_PolicyType_ExcessIndicator_A"
UMBRELLA_OCCUR_BOX = "ExcessUmbrella_OccurrenceIndicator_A"
UMBRELLA_CLAIMS_BOX = "ExcessUmbrella_ClaimsMadeIndicator_A"
RETENTION_BOX = "ExcessUmbrella_RetentionIndicator_A"
WC_STATUTE_BOX = (
    "WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A"
)
WC_OTHER_BOX = "WorkersCompensationEmployersLiability_OtherCoverageIndicator_A"
WC_EXCLUDED_FIELD = "WorkersCompensationEmployersLiability_AnyPersonsExcludedIndicator_A"
OTHER_DESCRIPTION_FIELD = "OtherPolicy_OtherPolicyDescription_A"
OTHER_LIMIT_LABEL_FIELD = "OtherPolicy_CoverageCode_A"
REMARKS_FIELD = "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A"
SIGNATURE_FIELD = "Producer_AuthorizedRepresentative_Signature_A"

UMBRELLA_OTHER_LABEL_FIELD = "ExcessUmbrella_OtherCoverageDescription_A"
UMBRELLA_OTHER_AMOUNT_FIELD = "ExcessUmbrella_OtherCoverageLimitAmount_A"
