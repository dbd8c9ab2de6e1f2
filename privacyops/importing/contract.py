"""The column contract of each kind of import file: which columns it has, which are required, and what
each may hold. Pure data: docs/import.md describes the same contract, the importer turns it into SQL,
and the Import page shows it.

Allowed values come from the rule modules (lifecycle, consent, retention), so an import can store only
what the rules know. Timestamps are ISO 8601: with an offset (`Z`, `+01:00`) they are exact; without one
they are Europe/Stockholm local time (the way a spreadsheet kept in Sweden writes them).
"""

from __future__ import annotations

from dataclasses import dataclass

from privacyops.rules import consent, lifecycle, retention

KINDS: dict[str, str] = {
    "customers": "Customers and their DPA terms",
    "consent": "Consent records",
    "requests": "Data-subject requests",
    "retention": "Retention inventory",
}
# The order in which a new store is filled: the others refer to customers.
IMPORT_ORDER = ("customers", "consent", "requests", "retention")

# What a value may be: each type has one parser in the importer's SQL.
TYPES = {
    "id": "an identifier: 1-64 letters, digits and _ . : / - (starting with a letter or digit)",
    "customer_ref": "the id of a customer already in the store",
    "controller_ref": "the id of a customer already in the store, or EXPANDRA where Expandra is the controller",
    "text": "text on one line",
    "long_text": "text, line breaks allowed",
    "choice": "one of the allowed values (upper or lower case)",
    "timestamp": "ISO 8601 date and time, e.g. 2025-03-05T10:15:00Z or 2025-03-05 11:15 (Stockholm time)",
    "date": "ISO 8601 date, YYYY-MM-DD",
    "integer": "a whole number (5, 5.0 or 5,0 with decimal comma)",
    "boolean": "true/false, yes/no, 1/0, ja/nej",
    "email": "an email address",
    "country": "a two-letter country code (SE, NO, ...) or 'other'",
    "org_number": "a Swedish organisation number, NNNNNN-NNNN",
}

ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,63}"
EMAIL_PATTERN = r"[^@\s]+@[^@\s]+\.[^@\s]+"


@dataclass(frozen=True)
class Field:
    """One column of a kind's contract."""

    name: str
    type: str
    required: bool
    description: str
    choices: tuple[str, ...] = ()
    max_length: int = 200
    minimum: int | None = None
    maximum: int | None = None
    # Spellings accepted and stored as the allowed value (e.g. 'delete' -> 'deleted').
    synonyms: tuple[tuple[str, str], ...] = ()
    # A timestamp that may lie in the future (none do today; dates like retention_ends_on may).
    future_allowed: bool = False
    # The value stored when the cell is empty or the column is not in the file (a SQL literal).
    default: str | None = None

    @property
    def label(self) -> str:
        return self.name


def _choices(values: dict[str, str]) -> tuple[str, ...]:
    return tuple(values)


_TERM_FIELDS: tuple[Field, ...] = tuple(
    field
    for category, label in retention.DATA_CATEGORIES.items()
    for field in (
        Field(f"{category}_retention_days", "integer", True,
              f"Retention of {label.lower()}: days kept after the last use (1-36,500).", minimum=1, maximum=36_500),
        Field(f"{category}_end_action", "choice", True,
              f"What happens to {label.lower()} when its retention ends.", _choices(retention.END_ACTIONS),
              synonyms=(("deleted", "delete"), ("anonymised", "anonymise"), ("anonymize", "anonymise"),
                        ("anonymized", "anonymise"))),
    )
)

CONTRACTS: dict[str, tuple[Field, ...]] = {
    "customers": (
        Field("customer_id", "id", True, "The customer's id in Privacy Ops, e.g. C13 (1-32 letters, digits, - or _).",
              max_length=32),
        Field("name", "text", True, "The customer's (controller's) company name."),
        Field("org_number", "org_number", True, "Swedish organisation number, NNNNNN-NNNN."),
        Field("forward_working_days", "integer", True,
              "Working days the DPA gives Expandra to forward a request (0-30; GDPR Art. 28(3)(e)).",
              minimum=0, maximum=30),
        *_TERM_FIELDS,
        Field("consent_policy_version", "text", False,
              "The customer's current consent policy version, as its banner records it (rules.md 3). Empty: no "
              "policy yet (renewals by age only).", max_length=64),
        Field("consent_policy_effective_on", "date", False,
              "The day that policy took effect (not after today); required with consent_policy_version."),
    ),
    "consent": (
        Field("consent_id", "id", False,
              "The banner's id of the record. Leave the whole column out to identify records by their "
              "content instead (a repeated identical record is then a duplicate, not a new one)."),
        Field("customer_id", "customer_ref", True, "The customer whose site recorded the choice."),
        Field("subject_id", "text", True, "The pseudonymous id of the visitor (never a name or email).",
              max_length=128),
        Field("given_at", "timestamp", True, "When the choice was made (proof of consent, Art. 7(1))."),
        Field("method", "choice", True,
              "How: accept_all, reject_all, custom, withdrawal, implied or pre_ticked (the last two are "
              "not valid consent: Planet49 C-673/17, EDPB 05/2020 para 86).", _choices(consent.METHODS)),
        Field("policy_version", "text", True, "The notice / policy version the visitor was shown.", max_length=32),
        Field("source", "choice", True, "Where: banner, settings_page or api.", _choices(consent.SOURCES)),
        Field("country", "country", True, "The visitor's country, two letters (or 'other')."),
        Field("necessary", "boolean", False, "Strictly necessary cookies (no consent needed); empty means true.",
              default="TRUE"),
        Field("functional", "boolean", True, "Functional cookies chosen."),
        Field("analytics", "boolean", True, "Analytics cookies chosen."),
        Field("marketing", "boolean", True, "Marketing cookies chosen."),
    ),
    "requests": (
        Field("request_id", "id", True, "The request's id in the source (kept as it is)."),
        Field("customer_id", "controller_ref", True,
              "The customer (controller) whose data the request concerns, or EXPANDRA for a request about "
              "Expandra's own website statistics (Expandra is the controller: nothing is forwarded)."),
        Field("request_type", "choice", True, "access, rectification, erasure, restriction, portability, "
              "objection, automated_decision or consent_withdrawal.", _choices(lifecycle.REQUEST_TYPES)),
        Field("received_at", "timestamp", True,
              "When it reached Expandra. Both clocks count from it (Art. 12(3); EDPB 07/2020)."),
        Field("channel", "choice", True, "email, web_form, phone, letter, customer or other.",
              _choices(lifecycle.CHANNELS)),
        Field("requester_email", "email", False,
              "The requester's address; required while the request is open (to answer them).", max_length=254),
        Field("requester_name", "text", False, "The requester's name."),
        Field("subject_id", "text", False, "The data subject's id at the customer, if known.", max_length=128),
        Field("description", "long_text", False, "What was asked, at most 4,000 characters.", max_length=4000),
        Field("status", "choice", False,
              "logged (the default), forwarded, in_progress, completed, refused or withdrawn. 'paused' cannot be "
              "imported: pause it in the dashboard, which records what it waits for.",
              tuple(s for s in lifecycle.STATUSES if s != "paused"), default="'logged'"),
        Field("assignee", "text", False, "Who at Expandra works on it."),
        Field("forwarded_at", "timestamp", False,
              "When it was forwarded to the customer; required for status forwarded and in_progress."),
        Field("closed_at", "timestamp", False, "When it was closed; required for completed, refused, withdrawn."),
        Field("outcome", "choice", False,
              "For a closed request: completed, forwarded_only, refused or withdrawn (empty: from the status).",
              ("completed", "refused", "withdrawn", "forwarded_only")),
        Field("refusal_ground", "choice", False,
              "Required for a refused request, a ground allowed for its type: every type identity_not_confirmed, "
              "manifestly_unfounded, excessive or controller_decision; an erasure also no_art17_1_ground or "
              "art17_3_a-e; the other types also no_data_held.",
              _choices(lifecycle.REFUSAL_GROUNDS)),
        Field("refusal_reasons", "long_text", False,
              "Required for a refused request: the reasons the requester was told (Art. 12(4)).", max_length=2000),
        Field("refusal_remedies_told", "boolean", False,
              "Required true for a refused request: the requester was told of the right to complain to IMY and "
              "to seek a judicial remedy (Art. 12(4))."),
        Field("refusal_notified_at", "timestamp", False,
              "When the requester was told of the refusal (empty: closed_at); not before received_at."),
        Field("recipients_notice", "choice", False,
              "Art. 19, for a rectification, erasure or restriction: told (the recipients were told) or none (there "
              "are none). Required when it was completed (outcome completed).", _choices(lifecycle.RECIPIENTS_NOTICES)),
        Field("recipients_told_at", "timestamp", False,
              "When the recipients were told; required with recipients_notice told, empty otherwise."),
        Field("controller_answered_on", "date", False,
              "For a request the controller handled itself (outcome forwarded_only): the date the customer says "
              "it answered the requester; it then counts against the statutory clock (rules.md 2)."),
    ),
    "retention": (
        Field("record_id", "id", True, "The record's id in the quote service."),
        Field("customer_id", "customer_ref", True, "The customer (controller) whose data it is."),
        Field("data_category", "choice", True, "name, email, company_details, user_data or quote_content.",
              _choices(retention.DATA_CATEGORIES)),
        Field("created_at", "timestamp", True, "When the record was created."),
        Field("last_used_at", "timestamp", True, "When it was last used; retention counts from here."),
        Field("retention_ends_on", "date", False,
              "The end of retention if the source set one (may be in the future); empty: from the customer's terms."),
        Field("disposed_at", "timestamp", False, "When it was deleted or anonymised."),
        Field("disposal_action", "choice", False, "deleted or anonymised; required when disposed_at is given.",
              ("deleted", "anonymised"),
              synonyms=(("delete", "deleted"), ("anonymise", "anonymised"), ("anonymize", "anonymised"),
                        ("anonymized", "anonymised"))),
    ),
}

# The column that identifies a row (duplicates are found by it).
ID_COLUMN: dict[str, str] = {
    "customers": "customer_id", "consent": "consent_id", "requests": "request_id", "retention": "record_id",
}
# The store table each kind lands in.
TARGET_TABLE: dict[str, str] = {
    "customers": "customers", "consent": "consent_records", "requests": "requests", "retention": "retention_records",
}

# Cross-field rules, in words (the importer's SQL checks the same; docs/import.md lists them).
RULES: dict[str, tuple[str, ...]] = {
    "customers": (
        "Every data category needs its retention days and end action.",
        "consent_policy_version and consent_policy_effective_on come together; the day is not after today.",
    ),
    "consent": (
        "accept_all means functional, analytics and marketing are all true.",
        "reject_all and withdrawal mean functional, analytics and marketing are all false.",
    ),
    "requests": (
        "forwarded_at and closed_at are not before received_at, and closed_at not before forwarded_at.",
        "An open request (logged, forwarded, in_progress) has no closed_at or outcome, and needs requester_email.",
        "forwarded and in_progress need forwarded_at, except where Expandra is the controller (customer_id "
        "EXPANDRA): then nothing is forwarded (no forwarded_at, not status forwarded, not channel customer, not "
        "outcome forwarded_only).",
        "controller_answered_on only for a request completed as forwarded_only; not before the day of receipt, "
        "not after today.",
        "completed, refused and withdrawn need closed_at; the outcome must fit the status "
        "(completed: completed or forwarded_only).",
        "refused needs a refusal_ground allowed for the type, refusal_reasons and refusal_remedies_told true; "
        "refusal_notified_at (default closed_at) is not before received_at. Other statuses have none of these.",
        "recipients_notice only for a rectification, erasure or restriction that is forwarded, in_progress or "
        "completed (not handled by the controller); required when completed with outcome completed. "
        "recipients_told_at comes with told only, not before received_at.",
        "A consent withdrawal is logged, completed or withdrawn (it takes effect at once, Art. 7(3)).",
    ),
    "retention": (
        "last_used_at and disposed_at are not before created_at.",
        "disposed_at and disposal_action come together.",
    ),
}


def fields(kind: str) -> tuple[Field, ...]:
    """The contract of one kind; KeyError names the kinds."""
    if kind not in CONTRACTS:
        raise KeyError(f"'{kind}' is not an import kind; kinds: {', '.join(KINDS)}")
    return CONTRACTS[kind]


def field(kind: str, name: str) -> Field:
    for candidate in fields(kind):
        if candidate.name == name:
            return candidate
    raise KeyError(f"{kind} has no column {name}")


def column_names(kind: str) -> list[str]:
    return [f.name for f in fields(kind)]


def required_columns(kind: str) -> list[str]:
    return [f.name for f in fields(kind) if f.required]


def normalise_header(header: str) -> str:
    """A file's column header as the contract would spell it: lower case, spaces and dashes as _."""
    cleaned = header.replace("\ufeff", "").strip().strip('"').strip().lower()
    out = []
    for char in cleaned:
        out.append(char if char.isalnum() else "_")
    name = "".join(out)
    while "__" in name:
        name = name.replace("__", "_")
    return name.strip("_")
