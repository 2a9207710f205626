"""What the description of operations says about additional insured, waiver of subrogation
and primary & non-contributory, and which coverages it says it about.

Wording alone never passes a line (a certificate does not amend a policy); it only turns a
fail into a question for a person. So when in doubt about which coverage a sentence means,
it counts for more coverages, not fewer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coi_desktop.review.requirement_terms import (
    ADDITIONAL_INSURED,
    PRIMARY_NONCONTRIBUTORY,
    UMBRELLA_ROW,
    WAIVER_OF_SUBROGATION,
)

# Blanket wording brokers put in DESCRIPTION OF OPERATIONS. The waiver may start mid-word;
# the other phrases and the coverage names start at a word (see _TOKENS).
_WAIVER_OF_SUBROGATION = (
    r"waiver\s+of\s+(rights?\s+of\s+)?subrogation|waives?\s+(all\s+)?(rights?\s+of\s+)?"
    r"subrogation|subrogation\s+(is\s+|are\s+)?waived|waiver\s+of\s+(our\s+)?right\s+to\s+"
    r"recover"
)
_ADDITIONAL_INSURED = r"additional(ly)?\s+insureds?\b"
_PRIMARY_NONCONTRIBUTORY = r"primary\s*(and|&|/|,)?\s*non[\s-]*contributory"
# How brokers name a policy line, including by the prefix of an ISO form number (CG 20 10
# is a GL form). Bare "excess" is left out: "not excess of any other insurance" is P&NC
# wording, not a sentence about the excess policy.
_COVERAGES = (
    r"(?P<general_liability>general\s+liability\b|c?gl\b|cg\s?\d\d\s?\d\d\b)"
    r"|(?P<automobile_liability>auto(mobile)?s?\b|ca\s?\d\d\s?\d\d\b)"
    r"|(?P<umbrella>umbrella\b|excess\s+liability\b|cu\s?\d\d\s?\d\d\b)"
    r"|(?P<workers_compensation>workers?['’]?s?\s+comp(ensation)?\b|wc\b"
    r"|employers?['’]?s?\s+liability\b)"
    r"|(?P<professional_liability>professional\s+liability\b|errors\s+(and|&)\s+omissions\b)"
    r"|(?P<pollution_liability>pollution\s+liability\b)"
    r"|(?P<builders_risk>builders?['’]?s?\s+risk\b)"
    # "applies to all policies" names coverages without naming which.
    r"|(?P<all>(all|each|every|any)\s+(of\s+the\s+)?(above\s+|listed\s+)?"
    r"(polic(y|ies)|coverages?|lines)\b)"
)
# Sentences and "GL - …; WC - …" items end here. Not at line breaks: the box wraps its text
# anywhere, "General\nLiability" included.
_SENTENCE_END = r"[.;](\s+|$)"
# One pass over the text finds all the tokens. No phrase can contain another's words or a
# sentence end, so none hides another. The leading lookahead (the first characters of
# every alternative) and the shared \b only spare the engine trying each one everywhere.
_TOKENS = re.compile(
    r"(?=[.;abcegpsuw])(?:"
    rf"(?P<end>{_SENTENCE_END})"
    rf"|(?P<{WAIVER_OF_SUBROGATION}>{_WAIVER_OF_SUBROGATION})"
    r"|\b(?:"
    rf"(?P<{ADDITIONAL_INSURED}>{_ADDITIONAL_INSURED})"
    rf"|(?P<{PRIMARY_NONCONTRIBUTORY}>{_PRIMARY_NONCONTRIBUTORY})"
    rf"|{_COVERAGES}))",
    re.IGNORECASE,
)
_BENEFITS = frozenset({ADDITIONAL_INSURED, WAIVER_OF_SUBROGATION, PRIMARY_NONCONTRIBUTORY})
_GROUP_COVERAGES: dict[str, tuple[str, ...]] = {"umbrella": UMBRELLA_ROW}


@dataclass(frozen=True)
class OperationsWording:
    """The benefits the description of operations mentions, and for which coverages."""

    for_all: frozenset[str]  # mentioned in a sentence that names no coverage
    named: frozenset[tuple[str, str]]  # (benefit, coverage) mentioned in one sentence

    def mentions(self, benefit: str, coverage: str) -> bool:
        return benefit in self.for_all or (benefit, coverage) in self.named


NO_WORDING = OperationsWording(frozenset(), frozenset())


def read_wording(description: str) -> OperationsWording:
    """Each benefit the description mentions, attributed to the coverages named in the
    same sentence; a sentence that names none (or says "all policies") speaks for every
    coverage."""
    sentences: list[set[str]] = [set()]  # the tokens of each sentence
    for match in _TOKENS.finditer(description):
        if match.lastgroup == "end":
            sentences.append(set())
        elif match.lastgroup:
            sentences[-1].add(match.lastgroup)
    for_all: set[str] = set()
    named: set[tuple[str, str]] = set()
    for tokens in sentences:
        benefits = tokens & _BENEFITS
        if not benefits:
            continue
        names = tokens - _BENEFITS
        if not names or "all" in names:
            for_all |= benefits
        else:
            named.update(
                (benefit, coverage)
                for name in names
                for coverage in _GROUP_COVERAGES.get(name, (name,))
                for benefit in benefits
            )
    if not for_all and not named:
        return NO_WORDING
    return OperationsWording(frozenset(for_all), frozenset(named))
