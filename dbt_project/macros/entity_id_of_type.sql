{#- The surrogate key of a curated entity whose type is a column, not a
    constant (mentions name companies, brands, plants … in one column);
    hashes exactly as entity_id does, so keys join to the dimensions. -#}
{% macro entity_id_of_type(type_column, code_column) -%}
    case
        when {{ code_column }} is not null
            then {{ surrogate_key([type_column, code_column]) }}
    end
{%- endmacro %}
