"""The rule settings a DPO signs off, with their defaults (rules.md: "it is a setting").

Stored in the `settings` table; a missing key means the default. The defaults are the readings
that are never late.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    key: str
    default: str
    label: str
    why: str


SETTINGS: dict[str, Setting] = {s.key: s for s in [
    Setting("eves_are_holidays", "false", "Treat Midsummer, Christmas and New Year's Eve as holidays",
            "rules.md 1.7: lag 1930:173 2 § treats them like Saturdays for Swedish deadlines; it is "
            "unclear that this reaches an EU-law deadline, so by default they are working days."),
    Setting("consent_renewal_months", "12", "Ask for consent again after (months)",
            "rules.md 3: no fixed EU lifetime; 12 months stays inside CNIL's 13-month cap."),
    Setting("refusal_quiet_months", "6", "Do not ask again after a refusal for (months)",
            "rules.md 3: a refusal is respected for 6 months before the banner asks again."),
    Setting("contact_evidence_years", "2", "Keep requesters' contact details after closing (years)",
            "rules.md 4: kept while the request's evidence is needed, then anonymised."),
    Setting("identity_pause_working_days", "5",
            "An identity check moves the deadline if asked for within (working days)",
            "rules.md 1, Pausing: the clock waits only for identity proof asked for without undue delay "
            "(IMY; EDPB 01/2022); other pauses are shown but move nothing."),
    Setting("backup_keep_days", "14", "Keep backups for (days)",
            "rules.md 4: backups hold requesters' contact details; an anonymised contact is gone from every "
            "backup this many days later."),
    Setting("soon_due_days", "5", "A request is 'due soon' within (days)",
            "The queue colours requests due within this many days."),
]}


def as_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class RuleSettings:
    eves_are_holidays: bool = False
    consent_renewal_months: int = 12
    refusal_quiet_months: int = 6
    contact_evidence_years: int = 2
    soon_due_days: int = 5
    identity_pause_working_days: int = 5
    backup_keep_days: int = 14

    @classmethod
    def from_values(cls, values: dict[str, str]) -> RuleSettings:
        merged = {k: values.get(k, s.default) for k, s in SETTINGS.items()}
        return cls(
            eves_are_holidays=as_bool(merged["eves_are_holidays"]),
            consent_renewal_months=int(merged["consent_renewal_months"]),
            refusal_quiet_months=int(merged["refusal_quiet_months"]),
            contact_evidence_years=int(merged["contact_evidence_years"]),
            soon_due_days=int(merged["soon_due_days"]),
            identity_pause_working_days=int(merged["identity_pause_working_days"]),
            backup_keep_days=int(merged["backup_keep_days"]),
        )


def parse(key: str, raw: str) -> str:
    """The stored text of a setting's new value, or ValueError saying what is allowed."""
    if key not in SETTINGS:
        raise ValueError(f"'{key}' is not a setting; settings: {', '.join(SETTINGS)}.")
    text = str(raw).strip().lower()
    if key == "eves_are_holidays":
        if text not in {"true", "false"}:
            raise ValueError("Choose true or false.")
        return text
    limits = {"consent_renewal_months": (1, 13), "refusal_quiet_months": (1, 24),
              "contact_evidence_years": (1, 10), "soon_due_days": (1, 30),
              "identity_pause_working_days": (0, 20), "backup_keep_days": (1, 365)}
    low, high = limits[key]
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{SETTINGS[key].label}: a whole number from {low} to {high}.")
    return str(int(text))
