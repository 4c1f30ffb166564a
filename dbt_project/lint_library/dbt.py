"""Stand-ins for dbt's cross-database macros, for sqlfluff's jinja templater.

They render plausible DuckDB SQL so the linter can parse models without a
dbt installation or a database; dbt itself never loads this file.
"""


def hash(field):
    return f"md5(cast({field} as varchar))"


def concat(fields):
    return "concat(" + ", ".join(fields) + ")"


def type_string():
    return "varchar"


def date_trunc(datepart, date):
    return f"date_trunc('{datepart}', {date})"


def date_spine(datepart, start_date, end_date):
    return (
        f"select unnest(generate_series({start_date}, {end_date}, "
        f"interval 1 {datepart})) as date_{datepart}"
    )


def position(substring_text, string_text):
    return f"position({substring_text} in {string_text})"
