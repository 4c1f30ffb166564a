{#- A later report of an event names the event's first report, and that
    one names no other: counting first reports then counts each event
    once. A chain, or a row naming itself, would count an event twice or
    not at all. Returns the whole failing row, whose source_line names the
    CSV line to fix. -#}
{% test names_a_first_report(model, column_name, key) %}

with

reports as (

    select * from {{ model }}

),

later_reports as (

    select * from reports
    where {{ column_name }} is not null

),

naming_a_later_report as (

    select later_reports.*
    from later_reports
    inner join reports as named
        on later_reports.{{ column_name }} = named.{{ key }}
    where named.{{ column_name }} is not null

)

select * from naming_a_later_report

{% endtest %}
