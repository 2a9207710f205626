"""The ACORD 25 (2016/03) AcroForm: each field's name, the slot it fills, and where it sits.

Slots are dotted names the assembler understands (``gl.limit.each_occurrence``,
``insurers.A.naic``). Rects (PDF points, top-left origin) let renamed fields be matched
by position, and give the layout reader the box a value is printed in.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from coi_desktop.acord_form import SECTIONS
from coi_desktop.review.findings import Found, RawCertificate, RawPolicy, Source

Rect = tuple[float, float, float, float]


class FormField(NamedTuple):
    name: str
    slot: str
    kind: Literal["text", "check"]
    rect: Rect


FORM_FIELDS: tuple[FormField, ...] = (
    FormField("Form_CompletionDate_A", "certificate_date", "text", (511, 36, 590, 48)),
    FormField("Producer_FullName_A", "producer.name", "text", (22, 132, 302, 144)),
    FormField("Producer_MailingAddress_LineOne_A", "producer.line1", "text", (22, 144, 302, 156)),
    FormField("Producer_MailingAddress_LineTwo_A", "producer.line2", "text", (22, 156, 302, 168)),
    FormField("Producer_MailingAddress_CityName_A", "producer.city", "text", (22, 168, 238, 180)),
    FormField(
        "Producer_MailingAddress_StateOrProvinceCode_A",
        "producer.state",
        "text",
        (238, 168, 256, 180),
    ),
    FormField("Producer_MailingAddress_PostalCode_A", "producer.zip", "text", (256, 168, 302, 180)),
    FormField(
        "Producer_ContactPerson_FullName_A", "producer.contact", "text", (346, 120, 590, 132)
    ),
    FormField(
        "Producer_ContactPerson_PhoneNumber_A", "producer.phone", "text", (353, 132, 479, 144)
    ),
    FormField("Producer_FaxNumber_A", "producer.fax", "text", (518, 132, 590, 144)),
    FormField(
        "Producer_ContactPerson_EmailAddress_A", "producer.email", "text", (346, 144, 590, 156)
    ),
    FormField("NamedInsured_FullName_A", "insured.name", "text", (72, 192, 302, 204)),
    FormField(
        "NamedInsured_MailingAddress_LineOne_A", "insured.line1", "text", (72, 204, 302, 216)
    ),
    FormField(
        "NamedInsured_MailingAddress_LineTwo_A", "insured.line2", "text", (72, 216, 302, 228)
    ),
    FormField(
        "NamedInsured_MailingAddress_CityName_A", "insured.city", "text", (72, 228, 238, 240)
    ),
    FormField(
        "NamedInsured_MailingAddress_StateOrProvinceCode_A",
        "insured.state",
        "text",
        (238, 228, 256, 240),
    ),
    FormField(
        "NamedInsured_MailingAddress_PostalCode_A", "insured.zip", "text", (256, 228, 302, 240)
    ),
    FormField("Insurer_FullName_A", "insurers.A.name", "text", (349, 168, 536, 180)),
    FormField("Insurer_NAICCode_A", "insurers.A.naic", "text", (544, 168, 590, 180)),
    FormField("Insurer_FullName_B", "insurers.B.name", "text", (349, 180, 536, 192)),
    FormField("Insurer_NAICCode_B", "insurers.B.naic", "text", (544, 180, 590, 192)),
    FormField("Insurer_FullName_C", "insurers.C.name", "text", (349, 192, 536, 204)),
    FormField("Insurer_NAICCode_C", "insurers.C.naic", "text", (544, 192, 590, 204)),
    FormField("Insurer_FullName_D", "insurers.D.name", "text", (349, 204, 536, 216)),
    FormField("Insurer_NAICCode_D", "insurers.D.naic", "text", (544, 204, 590, 216)),
    FormField("Insurer_FullName_E", "insurers.E.name", "text", (349, 216, 536, 228)),
    FormField("Insurer_NAICCode_E", "insurers.E.naic", "text", (544, 216, 590, 228)),
    FormField("Insurer_FullName_F", "insurers.F.name", "text", (349, 228, 536, 240)),
    FormField("Insurer_NAICCode_F", "insurers.F.naic", "text", (544, 228, 590, 240)),
    FormField(
        "CertificateOfInsurance_CertificateNumberIdentifier_A",
        "certificate_number",
        "text",
        (259, 240, 349, 252),
    ),
    FormField(
        "CertificateOfInsurance_RevisionNumberIdentifier_A",
        "revision_number",
        "text",
        (508, 240, 590, 252),
    ),
    FormField("GeneralLiability_InsurerLetterCode_A", "gl.letter", "text", (18, 336, 36, 348)),
    FormField("GeneralLiability_CoverageIndicator_A", "gl.indicator", "check", (36, 300, 50, 312)),
    FormField(
        "GeneralLiability_ClaimsMadeIndicator_A", "gl.claims_made", "check", (50, 312, 65, 324)
    ),
    FormField("GeneralLiability_OccurrenceIndicator_A", "gl.occur", "check", (115, 312, 130, 324)),
    FormField(
        "GeneralLiability_OtherCoverageIndicator_A",
        "gl.other_indicator_a",
        "check",
        (36, 324, 50, 336),
    ),
    FormField(
        "GeneralLiability_OtherCoverageDescription_A",
        "gl.other_description_a",
        "text",
        (54, 324, 173, 336),
    ),
    FormField(
        "GeneralLiability_OtherCoverageIndicator_B",
        "gl.other_indicator_b",
        "check",
        (36, 336, 50, 348),
    ),
    FormField(
        "GeneralLiability_OtherCoverageDescription_B",
        "gl.other_description_b",
        "text",
        (54, 336, 173, 348),
    ),
    FormField(
        "GeneralLiability_GeneralAggregate_LimitAppliesPerPolicyIndicator_A",
        "gl.agg_policy",
        "check",
        (36, 360, 50, 372),
    ),
    FormField(
        "GeneralLiability_GeneralAggregate_LimitAppliesPerProjectIndicator_A",
        "gl.agg_project",
        "check",
        (79, 360, 94, 372),
    ),
    FormField(
        "GeneralLiability_GeneralAggregate_LimitAppliesPerLocationIndicator_A",
        "gl.agg_location",
        "check",
        (122, 360, 137, 372),
    ),
    FormField(
        "GeneralLiability_GeneralAggregate_LimitAppliesToOtherIndicator_A",
        "gl.agg_other",
        "check",
        (36, 372, 50, 384),
    ),
    FormField(
        "GeneralLiability_GeneralAggregate_LimitAppliesToCode_A",
        "gl.agg_other_text",
        "text",
        (79, 372, 173, 384),
    ),
    FormField(
        "CertificateOfInsurance_GeneralLiability_AdditionalInsuredCode_A",
        "gl.addl",
        "text",
        (176, 336, 194, 348),
    ),
    FormField(
        "Policy_GeneralLiability_SubrogationWaivedCode_A", "gl.subr", "text", (194, 336, 212, 348)
    ),
    FormField(
        "Policy_GeneralLiability_PolicyNumberIdentifier_A",
        "gl.policy_number",
        "text",
        (216, 336, 328, 348),
    ),
    FormField("Policy_GeneralLiability_EffectiveDate_A", "gl.eff", "text", (331, 336, 378, 348)),
    FormField("Policy_GeneralLiability_ExpirationDate_A", "gl.exp", "text", (378, 336, 425, 348)),
    FormField(
        "GeneralLiability_EachOccurrence_LimitAmount_A",
        "gl.limit.each_occurrence",
        "text",
        (526, 300, 590, 312),
    ),
    FormField(
        "GeneralLiability_FireDamageRentedPremises_EachOccurrenceLimitAmount_A",
        "gl.limit.damage_to_rented_premises",
        "text",
        (526, 312, 590, 324),
    ),
    FormField(
        "GeneralLiability_MedicalExpense_EachPersonLimitAmount_A",
        "gl.limit.medical_expense",
        "text",
        (526, 324, 590, 336),
    ),
    FormField(
        "GeneralLiability_PersonalAndAdvertisingInjury_LimitAmount_A",
        "gl.limit.personal_advertising_injury",
        "text",
        (526, 336, 590, 348),
    ),
    FormField(
        "GeneralLiability_GeneralAggregate_LimitAmount_A",
        "gl.limit.general_aggregate",
        "text",
        (526, 348, 590, 360),
    ),
    FormField(
        "GeneralLiability_ProductsAndCompletedOperations_AggregateLimitAmount_A",
        "gl.limit.products_completed_ops_aggregate",
        "text",
        (526, 360, 590, 372),
    ),
    FormField(
        "GeneralLiability_OtherCoverageLimitDescription_A",
        "gl.other_limit_description",
        "text",
        (428, 372, 511, 384),
    ),
    FormField(
        "GeneralLiability_OtherCoverageLimitAmount_A",
        "gl.other_limit_amount",
        "text",
        (526, 372, 590, 384),
    ),
    FormField("Vehicle_InsurerLetterCode_A", "auto.letter", "text", (18, 408, 36, 420)),
    FormField("Vehicle_AnyAutoIndicator_A", "auto.any_auto", "check", (36, 396, 50, 408)),
    FormField("Vehicle_AllOwnedAutosIndicator_A", "auto.owned", "check", (36, 408, 50, 420)),
    FormField("Vehicle_HiredAutosIndicator_A", "auto.hired", "check", (36, 420, 50, 432)),
    FormField(
        "Vehicle_OtherCoveredAutoIndicator_A", "auto.other_indicator_a", "check", (36, 432, 50, 444)
    ),
    FormField(
        "Vehicle_OtherCoveredAutoDescription_A",
        "auto.other_description_a",
        "text",
        (54, 432, 101, 444),
    ),
    FormField("Vehicle_ScheduledAutosIndicator_A", "auto.scheduled", "check", (104, 408, 119, 420)),
    FormField("Vehicle_NonOwnedAutosIndicator_A", "auto.non_owned", "check", (104, 420, 119, 432)),
    FormField(
        "Vehicle_OtherCoveredAutoIndicator_B",
        "auto.other_indicator_b",
        "check",
        (104, 432, 119, 444),
    ),
    FormField(
        "Vehicle_OtherCoveredAutoDescription_B",
        "auto.other_description_b",
        "text",
        (122, 432, 173, 444),
    ),
    FormField(
        "CertificateOfInsurance_AutomobileLiability_AdditionalInsuredCode_A",
        "auto.addl",
        "text",
        (176, 408, 194, 420),
    ),
    FormField(
        "Policy_AutomobileLiability_SubrogationWaivedCode_A",
        "auto.subr",
        "text",
        (194, 408, 212, 420),
    ),
    FormField(
        "Policy_AutomobileLiability_PolicyNumberIdentifier_A",
        "auto.policy_number",
        "text",
        (216, 408, 328, 420),
    ),
    FormField(
        "Policy_AutomobileLiability_EffectiveDate_A", "auto.eff", "text", (331, 408, 378, 420)
    ),
    FormField(
        "Policy_AutomobileLiability_ExpirationDate_A", "auto.exp", "text", (378, 408, 425, 420)
    ),
    FormField(
        "Vehicle_CombinedSingleLimit_EachAccidentAmount_A",
        "auto.limit.combined_single_limit",
        "text",
        (526, 384, 590, 396),
    ),
    FormField(
        "Vehicle_BodilyInjury_PerPersonLimitAmount_A",
        "auto.limit.bodily_injury_per_person",
        "text",
        (526, 396, 590, 408),
    ),
    FormField(
        "Vehicle_BodilyInjury_PerAccidentLimitAmount_A",
        "auto.limit.bodily_injury_per_accident",
        "text",
        (526, 408, 590, 420),
    ),
    FormField(
        "Vehicle_PropertyDamage_PerAccidentLimitAmount_A",
        "auto.limit.property_damage",
        "text",
        (526, 420, 590, 432),
    ),
    FormField(
        "Vehicle_OtherCoverage_CoverageDescription_A",
        "auto.other_limit_description",
        "text",
        (428, 432, 511, 444),
    ),
    FormField(
        "Vehicle_OtherCoverage_LimitAmount_A",
        "auto.other_limit_amount",
        "text",
        (526, 432, 590, 444),
    ),
    FormField("ExcessUmbrella_InsurerLetterCode_A", "umbrella.letter", "text", (18, 456, 36, 468)),
    FormField(
        "Policy_PolicyType_UmbrellaIndicator_A", "umbrella.umbrella", "check", (36, 444, 50, 456)
    ),
    FormField(
        "Policy_PolicyType_ExcessIndicator_A", "umbrella.excess", "check", (36, 456, 50, 468)
    ),
    FormField(
        "ExcessUmbrella_OccurrenceIndicator_A", "umbrella.occur", "check", (115, 444, 130, 456)
    ),
    FormField(
        "ExcessUmbrella_ClaimsMadeIndicator_A",
        "umbrella.claims_made",
        "check",
        (115, 456, 130, 468),
    ),
    FormField(
        "ExcessUmbrella_DeductibleIndicator_A", "umbrella.deductible", "check", (36, 468, 50, 480)
    ),
    FormField(
        "ExcessUmbrella_RetentionIndicator_A",
        "umbrella.retention_indicator",
        "check",
        (72, 468, 86, 480),
    ),
    FormField(
        "ExcessUmbrella_Umbrella_DeductibleOrRetentionAmount_A",
        "umbrella.limit.retention",
        "text",
        (133, 468, 173, 480),
    ),
    FormField(
        "CertificateOfInsurance_ExcessLiability_AdditionalInsuredCode_A",
        "umbrella.addl",
        "text",
        (176, 456, 194, 468),
    ),
    FormField(
        "Policy_ExcessLiability_SubrogationWaivedCode_A",
        "umbrella.subr",
        "text",
        (194, 456, 212, 468),
    ),
    FormField(
        "Policy_ExcessLiability_PolicyNumberIdentifier_A",
        "umbrella.policy_number",
        "text",
        (216, 456, 328, 468),
    ),
    FormField(
        "Policy_ExcessLiability_EffectiveDate_A", "umbrella.eff", "text", (331, 456, 378, 468)
    ),
    FormField(
        "Policy_ExcessLiability_ExpirationDate_A", "umbrella.exp", "text", (378, 456, 425, 468)
    ),
    FormField(
        "ExcessUmbrella_Umbrella_EachOccurrenceAmount_A",
        "umbrella.limit.each_occurrence",
        "text",
        (526, 444, 590, 456),
    ),
    FormField(
        "ExcessUmbrella_Umbrella_AggregateAmount_A",
        "umbrella.limit.aggregate",
        "text",
        (526, 456, 590, 468),
    ),
    FormField(
        "ExcessUmbrella_OtherCoverageDescription_A",
        "umbrella.other_limit_description",
        "text",
        (428, 468, 511, 480),
    ),
    FormField(
        "ExcessUmbrella_OtherCoverageLimitAmount_A",
        "umbrella.other_limit_amount",
        "text",
        (526, 468, 590, 480),
    ),
    FormField(
        "WorkersCompensationEmployersLiability_InsurerLetterCode_A",
        "wc.letter",
        "text",
        (18, 498, 36, 510),
    ),
    FormField(
        "WorkersCompensationEmployersLiability_AnyPersonsExcludedIndicator_A",
        "wc.excluded",
        "text",
        (158, 498, 173, 510),
    ),
    FormField(
        "Policy_WorkersCompensation_SubrogationWaivedCode_A",
        "wc.subr",
        "text",
        (194, 498, 212, 510),
    ),
    FormField(
        "Policy_WorkersCompensationAndEmployersLiability_PolicyNumberIdentifier_A",
        "wc.policy_number",
        "text",
        (216, 498, 328, 510),
    ),
    FormField(
        "Policy_WorkersCompensationAndEmployersLiability_EffectiveDate_A",
        "wc.eff",
        "text",
        (331, 498, 378, 510),
    ),
    FormField(
        "Policy_WorkersCompensationAndEmployersLiability_ExpirationDate_A",
        "wc.exp",
        "text",
        (378, 498, 425, 510),
    ),
    FormField(
        "WorkersCompensationEmployersLiability_WorkersCompensationStatutoryLimitIndicator_A",
        "wc.statutory",
        "check",
        (425, 480, 439, 492),
    ),
    FormField(
        "WorkersCompensationEmployersLiability_OtherCoverageIndicator_A",
        "wc.other_indicator",
        "check",
        (475, 480, 490, 492),
    ),
    FormField(
        "WorkersCompensationEmployersLiability_OtherCoverageDescription_A",
        "wc.other_description",
        "text",
        (518, 480, 590, 492),
    ),
    FormField(
        "WorkersCompensationEmployersLiability_EmployersLiability_EachAccidentLimitAmount_A",
        "wc.limit.el_each_accident",
        "text",
        (526, 492, 590, 504),
    ),
    FormField(
        "WorkersCompensationEmployersLiability_EmployersLiability_DiseaseEachEmployeeLimitAmount_A",
        "wc.limit.el_disease_each_employee",
        "text",
        (526, 504, 590, 516),
    ),
    FormField(
        "WorkersCompensationEmployersLiability_EmployersLiability_DiseasePolicyLimitAmount_A",
        "wc.limit.el_disease_policy_limit",
        "text",
        (526, 516, 590, 528),
    ),
    FormField("OtherPolicy_InsurerLetterCode_A", "other.letter", "text", (18, 540, 36, 552)),
    FormField(
        "OtherPolicy_OtherPolicyDescription_A", "other.description", "text", (40, 534, 173, 558)
    ),
    FormField(
        "CertificateOfInsurance_OtherPolicy_AdditionalInsuredCode_A",
        "other.addl",
        "text",
        (176, 540, 194, 552),
    ),
    FormField("OtherPolicy_SubrogationWaivedCode_A", "other.subr", "text", (194, 540, 212, 552)),
    FormField(
        "OtherPolicy_PolicyNumberIdentifier_A", "other.policy_number", "text", (216, 540, 328, 552)
    ),
    FormField("OtherPolicy_PolicyEffectiveDate_A", "other.eff", "text", (331, 540, 378, 552)),
    FormField("OtherPolicy_PolicyExpirationDate_A", "other.exp", "text", (378, 540, 425, 552)),
    FormField(
        "OtherPolicy_CoverageCode_A", "other.limit_description_a", "text", (432, 528, 511, 540)
    ),
    FormField(
        "OtherPolicy_CoverageLimitAmount_A", "other.limit_amount_a", "text", (526, 528, 590, 540)
    ),
    FormField(
        "OtherPolicy_CoverageCode_B", "other.limit_description_b", "text", (432, 540, 511, 552)
    ),
    FormField(
        "OtherPolicy_CoverageLimitAmount_B", "other.limit_amount_b", "text", (526, 540, 590, 552)
    ),
    FormField(
        "OtherPolicy_CoverageCode_C", "other.limit_description_c", "text", (432, 552, 511, 564)
    ),
    FormField(
        "OtherPolicy_CoverageLimitAmount_C", "other.limit_amount_c", "text", (526, 552, 590, 564)
    ),
    FormField(
        "CertificateOfLiabilityInsurance_ACORDForm_RemarkText_A",
        "description",
        "text",
        (22, 576, 590, 642),
    ),
    FormField(
        "CertificateHolder_FullName_A", "certificate_holder.name", "text", (72, 690, 302, 702)
    ),
    FormField(
        "CertificateHolder_MailingAddress_LineOne_A",
        "certificate_holder.line1",
        "text",
        (72, 702, 302, 714),
    ),
    FormField(
        "CertificateHolder_MailingAddress_LineTwo_A",
        "certificate_holder.line2",
        "text",
        (72, 714, 302, 726),
    ),
    FormField(
        "CertificateHolder_MailingAddress_CityName_A",
        "certificate_holder.city",
        "text",
        (72, 726, 238, 738),
    ),
    FormField(
        "CertificateHolder_MailingAddress_StateOrProvinceCode_A",
        "certificate_holder.state",
        "text",
        (238, 726, 256, 738),
    ),
    FormField(
        "CertificateHolder_MailingAddress_PostalCode_A",
        "certificate_holder.zip",
        "text",
        (256, 726, 302, 738),
    ),
    FormField(
        "Producer_AuthorizedRepresentative_Signature_A",
        "authorized_representative",
        "text",
        (310, 720, 590, 744),
    ),
)

FIELD_BY_NAME: dict[str, FormField] = {f.name: f for f in FORM_FIELDS}
FIELD_BY_SLOT: dict[str, FormField] = {f.slot: f for f in FORM_FIELDS}


def overlap_ratio(a: Rect, b: Rect) -> float:
    """Intersection over the smaller area: 1.0 when one box sits inside the other."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[2], b[2]), min(a[3], b[3])
    if x1 <= x0 or y1 <= y0:
        return 0.0
    inter = (x1 - x0) * (y1 - y0)
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return inter / smaller if smaller > 0 else 0.0


def field_at(rect: Rect, kind: str) -> FormField | None:
    """The template field a renamed widget most likely is, by position and kind."""
    best: FormField | None = None
    best_score = 0.6  # below this the widget is somewhere the form has no field
    for f in FORM_FIELDS:
        if f.kind != kind:
            continue
        score = overlap_ratio(rect, f.rect)
        if score > best_score:
            best, best_score = f, score
    return best


def certificate_from_boxes(
    readings: list[tuple[FormField, str, Rect, float]], page_no: int, source: Source
) -> RawCertificate:
    """Group box readings (field, text, page rect, confidence) into slots and coverage rows.

    Empty boxes are kept: an empty ADDL INSD box on a policy's row reads as "no".
    """
    raw = RawCertificate()
    for spec, text, rect, confidence in readings:
        raw.slots[spec.slot] = Found(text, page_no, rect, source, confidence)
    for section in SECTIONS:
        prefix = section + "."
        policy = RawPolicy(section)
        for slot, found in raw.slots.items():
            if slot.startswith(prefix):
                policy.fields[slot[len(prefix) :]] = found
        if section == "other" and "limit_amount_a" in policy.fields:
            # the "other" row prints one limit; its box is the first of three
            policy.fields["limit.limit"] = policy.fields["limit_amount_a"]
        raw.policies.append(policy)
    return raw
