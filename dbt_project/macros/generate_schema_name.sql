{#- Each folder lands in the schema of its own name (staging, intermediate,
    marts), not in dbt's default "<target schema>_<custom schema>".
    A Spark build on a shared catalog (Spark Connect, Thrift) sets
    AUTOWATCH_SCHEMA_SUFFIX so that it writes schemas of its own
    (marts_build_...) and readers keep the previous build until
    ingest/spark.py publishes the new one, and AUTOWATCH_SCHEMA_PREFIX
    (from AUTOWATCH_SPARK_SCHEMA_PREFIX, e.g. dev_) so that warehouses
    sharing the catalog keep apart. Unset, both are empty. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set prefix = env_var('AUTOWATCH_SCHEMA_PREFIX', '') -%}
    {%- set suffix = env_var('AUTOWATCH_SCHEMA_SUFFIX', '') -%}
    {%- if custom_schema_name is none -%}
        {{ prefix }}{{ target.schema }}{{ suffix }}
    {%- else -%}
        {{ prefix }}{{ custom_schema_name | trim }}{{ suffix }}
    {%- endif -%}
{%- endmacro %}
