{#- A deterministic key: the md5 of the fields joined with '-', nulls
    replaced by a marker, as dbt_utils.generate_surrogate_key does (the hub
    package cannot be installed here). -#}
{% macro surrogate_key(field_list) -%}
    {%- set fields = [] -%}
    {%- for field in field_list -%}
        {%- do fields.append(
            "coalesce(cast(" ~ field ~ " as " ~ dbt.type_string()
            ~ "), '_dbt_null_')"
        ) -%}
        {%- if not loop.last -%}
            {%- do fields.append("'-'") -%}
        {%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(fields)) }}
{%- endmacro %}
