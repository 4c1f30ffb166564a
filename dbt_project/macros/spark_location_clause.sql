{#- Where a Spark table's Parquet files go. A local Spark build has a
    warehouse folder of its own, so Spark's default location is already
    the build's. A build through Spark Connect shares the server's
    warehouse folder with every reader: ingest/spark.py sets
    AUTOWATCH_SPARK_TABLE_ROOT to the build's folder, and each table is
    written to <root>/<schema>.db/<table> there, the layout readers of the
    live build expect, whatever suffix its catalog schema carries.
    Overrides dbt-spark's macro of the same name; otherwise the same. -#}
{% macro spark__location_clause() %}
    {%- set table_root = env_var('AUTOWATCH_SPARK_TABLE_ROOT', '') -%}
    {%- set location_root = config.get(
        'location_root', validator=validation.any[basestring]
    ) -%}
    {%- if table_root %}
    {%- set schema_dir = table_root ~ '/' ~ config.get("schema") ~ '.db' %}
    location '{{ schema_dir }}/{{ model["alias"] }}'
    {%- elif location_root is not none %}
    location '{{ location_root }}/{{ model["alias"] }}'
    {%- endif %}
{%- endmacro %}
