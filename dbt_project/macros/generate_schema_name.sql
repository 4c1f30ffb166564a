{#- Each folder lands in the schema of its own name (staging, intermediate,
    marts), not in dbt's default "<target schema>_<custom schema>".
    A Spark build on a shared catalog (Spark Connect) sets
    AUTOWATCH_SCHEMA_SUFFIX so that it writes schemas of its own
    (marts_build_...) and readers keep the previous build until
    ingest/spark.py publishes the new one. Unset, the suffix is empty. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- set suffix = env_var('AUTOWATCH_SCHEMA_SUFFIX', '') -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}{{ suffix }}
    {%- else -%}
        {{ custom_schema_name | trim }}{{ suffix }}
    {%- endif -%}
{%- endmacro %}
