{#- A date with a precision is the first day of the span its precision
    names (2023-04-01 for "in April 2023" at month precision), and the
    date and its precision are both set or both null. Rows that break
    either rule fail. -#}
{% test starts_its_precision(model, column_name, precision_column_name) %}

select *
from {{ model }}
where
    ({{ column_name }} is null) <> ({{ precision_column_name }} is null)
    or ({{ precision_column_name }} in ('month', 'quarter', 'year')
        and extract(day from {{ column_name }}) <> 1)
    or ({{ precision_column_name }} = 'quarter'
        and extract(month from {{ column_name }}) not in (1, 4, 7, 10))
    or ({{ precision_column_name }} = 'year'
        and extract(month from {{ column_name }}) <> 1)

{% endtest %}
