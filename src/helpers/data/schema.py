"""The tables of a leadeval dataset: columns, types, allowed values and keys.

This module is the single description of the dataset contract of ``docs/architecture.md`` (and
``DESIGN.md``); the reader, the validator, the empty typed frames and the pandera schemas are all
derived from it.

Column kinds
------------
``id``      text identifier (``1001.0`` read back from a float column becomes ``1001``)
``text``    free text
``int``     whole number (nullable ``Int64``)
``float``   number (``float64``)
``bool``    true/false, yes/no, y/n, 1/0 (``bool``; blank allowed only where nullable)
``date``    ISO ``yyyy-mm-dd`` or UK ``dd/mm/yyyy`` (see :mod:`helpers.data.dates`)
``month``   a date as ``date``, or a month: ``yyyy-mm``, ``Nov-25``, ``November 2025`` (the 1st)
``enum``    one of ``choices`` (case, spaces and hyphens ignored: ``Follow-up`` -> ``follow_up``)
``likert``  an answer: a number or a word mapped through the instrument's ``labels``
"""

from __future__ import annotations

from dataclasses import dataclass, field

WAVES = ("baseline", "post", "follow_up", "retrospective_pre")
RATERS = ("self", "manager", "peer", "direct_report")
PROFESSIONS = ("medical", "nursing", "AHP", "manager", "other")
SOURCE_TYPES = ("interview", "focus_group", "free_text")
BETTER = ("up", "down")
INSTRUMENT_KINDS = ("outcome", "reaction", "relationship", "competency")
APPLICATION_OUTCOMES = ("admitted", "not_admitted", "waitlisted", "withdrew")

#: Optional descriptors of participants and applicants for equality monitoring (pseudonymous
#: data; the reports never show a group of fewer than ``suppress_below`` people).
EQUALITY_COLUMNS = ("ethnicity", "sex", "disability")

#: Tables a dataset must have; every other table may be absent (an empty typed frame is used).
REQUIRED_TABLES = ("programmes", "cohorts", "participants")

#: Columns that hold participant ids (pseudonymised when dataset.yaml asks for it).
PARTICIPANT_ID_COLUMNS = ("participant_id", "lead_participant_id", "from_id", "to_id")

#: Column names that identify a person; refused in every table unless the contract defines them.
IDENTIFYING_COLUMNS = frozenset({
    "name", "full_name", "fullname", "first_name", "firstname", "forename", "forenames",
    "given_name", "surname", "last_name", "lastname", "family_name", "middle_name",
    "email", "e_mail", "email_address", "mail", "nhs_number", "nhs_no", "nhs_num", "nhsnumber",
    "date_of_birth", "dob", "birth_date", "birthdate", "phone", "phone_number", "telephone",
    "tel", "mobile", "mobile_number", "address", "home_address", "postcode", "post_code",
    "ni_number", "national_insurance_number", "staff_number", "employee_number", "esr_number",
    "gmc_number", "nmc_pin", "hcpc_number",
})


@dataclass(frozen=True)
class Col:
    """One column of a table."""

    name: str
    kind: str
    required: bool = True     # the column must be present in the file
    nullable: bool = True     # blank cells are allowed
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Table:
    """One table: its columns and the column sets whose values must be unique."""

    name: str
    columns: tuple[Col, ...]
    unique: tuple[tuple[str, ...], ...] = field(default=())

    def col(self, name: str) -> Col | None:
        """The column called ``name``, or None."""
        for c in self.columns:
            if c.name == name:
                return c
        return None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _id(name: str, nullable: bool = False, required: bool = True) -> Col:
    return Col(name, "id", required=required, nullable=nullable)


def _answers(person: str) -> tuple[Col, ...]:
    """Survey answers in long format, keyed by a participant or an applicant."""
    return (
        _id(person), _id("instrument_id"), _id("item_id"),
        Col("wave", "enum", nullable=False, choices=WAVES),
        Col("rater", "enum", nullable=False, choices=RATERS), Col("value", "likert"),
        Col("response_date", "date"), _id("rater_id", nullable=True, required=False),
    )


TABLES: dict[str, Table] = {t.name: t for t in (
    Table("programmes", (
        _id("programme_id"), Col("name", "text", nullable=False), Col("provider", "text"),
        Col("host_organisation", "text"), Col("level", "text"), Col("modules", "int"),
        Col("days", "int"),
    ), unique=(("programme_id",),)),
    Table("cohorts", (
        _id("cohort_id"), _id("programme_id"), Col("start_date", "date"), Col("end_date", "date"),
        Col("delivery_mode", "text"), Col("places", "int", required=False),
        Col("applications", "int", required=False),
    ), unique=(("cohort_id",),)),
    Table("participants", (
        _id("participant_id"), _id("cohort_id"), Col("organisation", "text"),
        Col("profession", "enum", nullable=False, choices=PROFESSIONS), Col("role", "text"),
        Col("speciality", "text"), *(Col(c, "text", required=False) for c in EQUALITY_COLUMNS),
    ), unique=(("participant_id",),)),
    Table("attendance", (
        _id("participant_id"), Col("module", "int", nullable=False), Col("session_date", "date"),
        Col("attended", "bool", nullable=False),
    )),
    Table("items", (
        _id("instrument_id"), _id("item_id"), _id("scale", nullable=True), Col("text", "text"),
        Col("min", "float", nullable=False), Col("max", "float", nullable=False),
        Col("reverse_scored", "bool"),
    ), unique=(("instrument_id", "item_id"),)),
    Table("responses", _answers("participant_id")),
    Table("segments", (
        _id("segment_id"), _id("source_id", nullable=True),
        Col("source_type", "enum", nullable=False, choices=SOURCE_TYPES),
        _id("participant_id", nullable=True, required=False),
        Col("wave", "enum", choices=WAVES), Col("text", "text", nullable=False),
    ), unique=(("segment_id",),)),
    Table("codes", (
        _id("code_id"), Col("label", "text", nullable=False), _id("parent_id", nullable=True),
        Col("description", "text"),
    ), unique=(("code_id",),)),
    Table("codings", (
        _id("segment_id"), _id("code_id"), _id("coder_id"),
    ), unique=(("segment_id", "code_id", "coder_id"),)),
    Table("projects", (
        _id("project_id"), _id("programme_id"), _id("lead_participant_id", nullable=True),
        Col("title", "text", nullable=False), Col("area", "text"), Col("kpi", "text"),
        Col("unit", "text"), Col("better", "enum", nullable=False, choices=BETTER),
        Col("start_date", "date"), Col("status", "text"), Col("target", "float", required=False),
        Col("comparison", "text", required=False),
    ), unique=(("project_id",),)),
    Table("kpi_values", (
        _id("project_id"), Col("period", "month", nullable=False), Col("value", "float"),
        Col("comparison", "float", required=False),
    ), unique=(("project_id", "period"),)),
    Table("ties", (
        Col("wave", "enum", nullable=False, choices=WAVES), _id("from_id"), _id("to_id"),
        Col("tie_type", "text"),
    )),
    Table("careers", (
        _id("participant_id"), Col("event_date", "date"), Col("event", "text", nullable=False),
        Col("role", "text"),
    )),
    # The comparison group: every application, admitted or not. An admitted applicant names
    # the participant_id they became; the others' careers and ratings are kept apart in
    # applicant_careers / applicant_responses, keyed by applicant_id.
    Table("applicants", (
        _id("applicant_id"), _id("programme_id"), _id("cohort_id"),
        Col("outcome", "enum", nullable=False, choices=APPLICATION_OUTCOMES),
        _id("participant_id", nullable=True, required=False), Col("organisation", "text", required=False),
        Col("profession", "enum", required=False, choices=PROFESSIONS),
        *(Col(c, "text", required=False) for c in EQUALITY_COLUMNS),
    ), unique=(("applicant_id",),)),
    Table("applicant_careers", (
        _id("applicant_id"), Col("event_date", "date"), Col("event", "text", nullable=False),
        Col("role", "text"),
    )),
    Table("applicant_responses", _answers("applicant_id")),
)}

TABLE_ORDER = tuple(TABLES)
