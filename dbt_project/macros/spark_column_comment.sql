{#- A Spark view's column comment, as dbt-spark writes it for persist_docs,
    cut to the 256 characters a Hive metastore keeps (COLUMNS_V2.COMMENT
    is varchar(256)). A longer one fails in the metastore, which retries
    ten times two seconds apart before giving up: about 80 seconds of
    every Spark build went to the reporting views' longest descriptions.
    The docs site and DuckDB keep the whole text. Overrides dbt-spark's
    macro of the same name; otherwise the same. -#}
{% macro get_column_comment_sql(column_name, column_dict) -%}
    {%- set comment_clause = "" -%}
    {%- set column = column_dict.get(column_name) or {} -%}
    {%- set description = column.get("description") or "" -%}
    {%- if description | length > 256 -%}
        {%- set description = description[:255] ~ "…" -%}
    {%- endif -%}
    {%- if description -%}
        {%- set escaped = description | replace("'", "\\'") -%}
        {%- set comment_clause = "comment '" ~ escaped ~ "'" -%}
    {%- endif %}
    {{ adapter.quote(column_name) }} {{ comment_clause }}
{%- endmacro %}
