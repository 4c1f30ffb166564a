{#- A later report of an event names the event's first report: one that
    names no other (counting first reports then counts each event once; a
    chain, or a row naming itself, would count an event twice or not at
    all) and whose article was not published after its own. Returns the
    whole failing row, whose source_line names the CSV line to fix, and
    a failure_reason saying which rule it breaks. -#}
{% test names_a_first_report(model, column_name, key, articles) %}

with

reports as (

    select * from {{ model }}

),

articles as (

    select * from {{ articles }}

),

later_reports as (

    select * from reports
    where {{ column_name }} is not null

),

naming as (

    select
        later_reports.*,
        named.{{ column_name }} as named_names,
        named_article.published_on as named_published_on,
        own_article.published_on as own_published_on
    from later_reports
    inner join reports as named
        on later_reports.{{ column_name }} = named.{{ key }}
    left join articles as named_article
        on named.article_id = named_article.article_id
    left join articles as own_article
        on later_reports.article_id = own_article.article_id

),

failing as (

    select
        case
            when {{ column_name }} = {{ key }}
                then 'it names itself, not the event''s first report'
            when named_names is not null
                then 'the report it names is a later report too: name the one that report names'
            else 'the report it names comes from an article published after this one'
        end as failure_reason,
        *
    from naming
    where
        named_names is not null
        or named_published_on > own_published_on

)

select * from failing

{% endtest %}
