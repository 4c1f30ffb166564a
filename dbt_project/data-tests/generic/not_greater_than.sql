{#- Ranges must be ordered: value_low <= value_high, period_start <=
    period_end. Rows where either side is null pass. -#}
{% test not_greater_than(model, column_name, other_column_name) %}

select *
from {{ model }}
where {{ column_name }} > {{ other_column_name }}

{% endtest %}
