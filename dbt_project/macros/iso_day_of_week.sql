{#- The ISO day of the week of a date: Monday 1 … Sunday 7. DuckDB names
    the field isodow; Spark names it dayofweek_iso and rejects isodow. -#}
{% macro iso_day_of_week(date_expression) -%}
    {{ return(adapter.dispatch('iso_day_of_week', 'autowatch')(
        date_expression
    )) }}
{%- endmacro %}

{% macro default__iso_day_of_week(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro spark__iso_day_of_week(date_expression) -%}
    extract(dayofweek_iso from {{ date_expression }})
{%- endmacro %}
