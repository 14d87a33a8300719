"""Database triggers that note, for every write to a fact a hearing's preparation reads, which
hearings must be prepared again (table `hearing_inputs_changed`).

Why triggers and not calls in the services: the facts a preparation reads about a witness are
written by a dozen areas (consent, risk, custody feeds, claims, notices, guardians, information
sheets...), by the web and the command line, by restores and migrations. A call each writer must
remember is a call one writer will forget, and a forgotten call leaves a plan that protects a
victim on facts that are no longer true. A trigger cannot be forgotten.

What is NOT watched, and why, is `NOT_WATCHED` (tests/integration/test_prep_inputs.py holds every
table a preparation reads to one list or the other).

Each entry: the table, and the planned appearances (alias `a`) the written row `r` concerns.
On SQLite `r` is NEW or OLD; on PostgreSQL a record variable holding the one that exists.
"""
from __future__ import annotations

# The witness's own facts: each row names the case.
BY_CASE = ("consents", "identities", "relationships", "case_flags", "risk_assessments", "case_proceedings", "claims",
           "notices", "guardian_records", "information_sheets")
_PLANNED = "a.status = 'planned'"
WATCHED: dict[str, str] = {
    **{t: f"FROM appearances a WHERE a.case_id = r.case_id AND {_PLANNED}" for t in BY_CASE},
    "cases": f"FROM appearances a WHERE a.case_id = r.id AND {_PLANNED}",
    # An accused's custody concerns every victim of every proceeding he is accused in.
    "accused": ("FROM appearances a JOIN case_proceedings cp ON cp.case_id = a.case_id "
                "JOIN proceeding_accused pa ON pa.proceeding_id = cp.proceeding_id "
                f"WHERE pa.accused_id = r.id AND {_PLANNED}"),
    "proceeding_accused": ("FROM appearances a JOIN case_proceedings cp ON cp.case_id = a.case_id "
                           f"WHERE cp.proceeding_id = r.proceeding_id AND {_PLANNED}"),
    # Docket and court are printed in every calendar event of the proceeding's hearings.
    "proceedings": "FROM hearings a WHERE a.proceeding_id = r.id",
}
NOT_WATCHED: dict[str, str] = {
    "hearings": "every change of the hearing bumps hearings.version (services/hearings.py)",
    "appearances": "who appears changing bumps hearings.version; the planner writes the escort override",
    "hearing_changes": "written with a bump of hearings.version",
    "measures": "a person's request or decision re-plans at once (services/measures.py); the planner writes them",
    "bookings": "the planner writes them; a gap another hearing may free is re-checked daily (recheck_at)",
    "resources": "loading a roster re-plans every hearing it can touch, in the same transaction",
    "resource_leave": "as resources",
    "scheduling_policy": "as resources",
    "calendar_events": "what preparation publishes, compared by fingerprint",
    "worklist": "what preparation writes (gaps, deadlines), not what it decides from",
    "audit_log": "the record of what was done",
    "audit_head": "the record of what was done",
    "data_keys": "keys, not facts",
    "sweep_chunks": "the sweep's own bookkeeping",
    "hearing_inputs_changed": "this very journal",
}
_HEARING = {"proceedings": "a.id"}  # the column holding the hearing id (appearances: a.hearing_id)
OPS = ("INSERT", "UPDATE", "DELETE")


def _hearing_col(table: str) -> str:
    return _HEARING.get(table, "a.hearing_id")


def _sqlite(table: str, op: str) -> str:
    row = "OLD" if op == "DELETE" else "NEW"
    src = WATCHED[table].replace("r.", f"{row}.")
    col = _hearing_col(table)
    # SQLite runs one writer at a time: a hearing already noted needs no second row.
    return (f"CREATE TRIGGER prep_inputs_{table}_{op.lower()} AFTER {op} ON {table} FOR EACH ROW BEGIN "
            f"INSERT INTO hearing_inputs_changed (hearing_id) SELECT DISTINCT {col} {src} "
            f"AND NOT EXISTS (SELECT 1 FROM hearing_inputs_changed c WHERE c.hearing_id = {col}); END")


# On PostgreSQL each step is a query on one table by an indexed column: a join planned while the
# tables were growing in one transaction (a fresh store, a restore) was planned as scans, 4 ms a row
# at 15,000 cases. Each step gives the case ids the next one starts from, as an array: written as
# the same IN subqueries SQLite uses, PostgreSQL flattens them into that join again (a 15,000-case
# load 37 s against 17 s). Hence a second text of the three tables that are reached through others.
_PG_CASES: dict[str, str] = {
    "cases": "ARRAY[r.id]",
    "accused": ("ARRAY(SELECT cp.case_id FROM case_proceedings cp WHERE cp.proceeding_id = ANY("
                "ARRAY(SELECT pa.proceeding_id FROM proceeding_accused pa WHERE pa.accused_id = r.id)))"),
    "proceeding_accused": "ARRAY(SELECT cp.case_id FROM case_proceedings cp WHERE cp.proceeding_id = r.proceeding_id)",
}


def _postgres(table: str) -> list[str]:
    if table == "proceedings":
        body = ("INSERT INTO hearing_inputs_changed (hearing_id) "
                "SELECT h.id FROM hearings h WHERE h.proceeding_id = r.id; ")
    else:
        body = (f"ids := {_PG_CASES.get(table, 'ARRAY[r.case_id]')}; "
                "IF cardinality(ids) > 0 THEN INSERT INTO hearing_inputs_changed (hearing_id) "
                "SELECT DISTINCT a.hearing_id FROM appearances a WHERE a.case_id = ANY(ids) "
                f"AND {_PLANNED}; END IF; ")
    # No "already noted" test here: a writer that saw a row noted, and so added none, could commit
    # after the preparation deleted that row and read the facts without its write. Every write
    # leaves its own row; preparation deletes them all before it reads. Planned at each call
    # (force_custom_plan): a generic plan is made for no value in particular.
    return [
        f"CREATE FUNCTION witness_prep_inputs_{table}() RETURNS trigger LANGUAGE plpgsql "
        f"SET plan_cache_mode TO force_custom_plan AS $$ "
        f"DECLARE r record; ids varchar[]; BEGIN "
        f"IF TG_OP = 'DELETE' THEN r := OLD; ELSE r := NEW; END IF; "
        f"{body}RETURN NULL; END $$",
        f"CREATE TRIGGER prep_inputs_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION witness_prep_inputs_{table}()",
    ]


def create_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [s for t in WATCHED for s in _postgres(t)]
    return [_sqlite(t, op) for t in WATCHED for op in OPS]


def drop_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [s for t in WATCHED for s in (f"DROP TRIGGER IF EXISTS prep_inputs_{t} ON {t}",
                                             f"DROP FUNCTION IF EXISTS witness_prep_inputs_{t}()")]
    return [f"DROP TRIGGER IF EXISTS prep_inputs_{t}_{op.lower()}" for t in WATCHED for op in OPS]
