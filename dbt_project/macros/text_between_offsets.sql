{#- The part of a text between two offsets as the ingester stores them:
    0-based, start inclusive, end exclusive (Python's slicing), while SQL's
    substring counts from 1 and takes a length. -#}
{% macro text_between_offsets(text, start_offset, end_offset) -%}
    substring(
        {{ text }},
        {{ start_offset }} + 1,
        {{ end_offset }} - {{ start_offset }}
    )
{%- endmacro %}
