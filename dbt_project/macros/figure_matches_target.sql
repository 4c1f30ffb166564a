{#- A figure and a target stand for the same fact: same article, value,
    unit and currency (50,000 roubles is not a target of 50,000 cars).
    review_queue asks it both ways, figure for target and target for
    figure, so the two questions cannot drift apart. -#}
{% macro figure_matches_target(figure, target) -%}
    {{ figure }}.article_id = {{ target }}.article_id
    and {{ figure }}.value_low = {{ target }}.value_low
    and {{ figure }}.value_high = {{ target }}.value_high
    and {{ figure }}.unit = {{ target }}.unit
    and coalesce({{ figure }}.currency, '')
    = coalesce({{ target }}.currency, '')
{%- endmacro %}
