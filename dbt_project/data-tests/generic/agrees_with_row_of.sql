{#- A row states again what the row it belongs to states: where the row
    of `to` with the same `key` has a value in `field`, this row has that
    same value in column_name. A target whose announcement names a plant
    but which names none, or another, would drop out of every "targets at
    this plant" query. Returns the whole failing row, whose source_line
    names the CSV line to fix. -#}
{% test agrees_with_row_of(model, column_name, to, key, field) %}

with

belonging as (

    select * from {{ model }}

),

owning as (

    select * from {{ to }}

),

disagreeing as (

    select belonging.*
    from belonging
    inner join owning
        on belonging.{{ key }} = owning.{{ key }}
    where
        owning.{{ field }} is not null
        and (
            belonging.{{ column_name }} is null
            or belonging.{{ column_name }} <> owning.{{ field }}
        )

)

select * from disagreeing

{% endtest %}
