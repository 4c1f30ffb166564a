{#- A calendar covering every date the curated facts can name. The range
    is fixed, not derived from the data, so dates keep their rows across
    builds; a relationships test on each fact date catches one outside it. -#}
with

date_spine as (

    {{ dbt.date_spine(
        datepart="day",
        start_date="cast('2000-01-01' as date)",
        end_date="cast('2041-01-01' as date)"
    ) }}

),

final as (

    select
        cast(date_day as date) as date_day,
        {{ dbt.concat([
            "cast(extract(year from date_day) as " ~ dbt.type_string() ~ ")",
            "'-Q'",
            "cast(extract(quarter from date_day) as " ~ dbt.type_string() ~ ")"
        ]) }} as year_quarter,
        cast(extract(year from date_day) as integer) as year_number,
        cast(extract(quarter from date_day) as integer) as quarter_number,
        cast(extract(month from date_day) as integer) as month_number,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast({{ iso_day_of_week('date_day') }} as integer) as iso_day_of_week,
        {{ iso_day_of_week('date_day') }} in (6, 7) as is_weekend,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date)
            as month_start_on,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date)
            as quarter_start_on,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_on
    from date_spine

)

select * from final
