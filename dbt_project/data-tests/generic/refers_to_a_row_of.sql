{#- Like dbt's relationships test, but it returns the whole failing row
    rather than the key alone: a hashed key names nothing a curator can
    fix, while the row's source_line and codes name the CSV line. -#}
{% test refers_to_a_row_of(model, column_name, to, field) %}

with

referring as (

    select * from {{ model }}

),

referred as (

    select * from {{ to }}

),

dangling as (

    select referring.*
    from referring
    left join referred
        on referring.{{ column_name }} = referred.{{ field }}
    where
        referring.{{ column_name }} is not null
        and referred.{{ field }} is null

)

select * from dangling

{% endtest %}
