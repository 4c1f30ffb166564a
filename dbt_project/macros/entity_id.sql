{#- The surrogate key of a curated entity (company, brand, plant ...) from
    its code; null when the code is null, so optional foreign keys stay
    null instead of pointing at the hash of nothing. -#}
{% macro entity_id(entity_type, code_column) -%}
    case
        when {{ code_column }} is not null
            then {{ surrogate_key(["'" ~ entity_type ~ "'", code_column]) }}
    end
{%- endmacro %}
