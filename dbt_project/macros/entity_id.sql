{#- The surrogate key of a curated entity (company, brand, plant ...) from
    its code; null when the code is null, so optional foreign keys stay
    null instead of pointing at the hash of nothing. -#}
{% macro entity_id(entity_type, code_column) -%}
    {{ entity_id_of_type("'" ~ entity_type ~ "'", code_column) }}
{%- endmacro %}
