{#- A key of several columns: no two rows share the values of all of
    them (dbt_utils.unique_combination_of_columns; the hub package cannot
    be installed here). -#}
{% test unique_combination(model, column_names) %}

select
    {{ column_names | join(', ') }},
    count(*) as row_count
from {{ model }}
group by {{ column_names | join(', ') }}
having count(*) > 1

{% endtest %}
