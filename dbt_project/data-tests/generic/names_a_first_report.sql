{#- A later report of an event names the event's first report: one that
    names no other (counting first reports then counts each event once; a
    chain, or a row naming itself, would count an event twice or not at
    all), whose article was not published after its own, and which has
    the same value in each of same_columns (one event, one type). Returns the
    whole failing row, whose source_line names the CSV line to fix, and
    a failure_reason saying which rule it breaks. -#}
{% test names_a_first_report(
    model, column_name, key, articles, same_columns=[]
) %}

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
        {% for same_column in same_columns -%}
        named.{{ same_column }} as named_{{ same_column }},
        {% endfor -%}
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
            when named_published_on > own_published_on
                then 'the report it names comes from an article published after this one'
            {% for same_column in same_columns -%}
            when {{ same_column }} <> named_{{ same_column }}
                then 'its {{ same_column }} is not that of the report it names'
            {% endfor -%}
        end as failure_reason,
        *
    from naming
    where
        named_names is not null
        or named_published_on > own_published_on
        {% for same_column in same_columns -%}
        or {{ same_column }} <> named_{{ same_column }}
        {% endfor %}

)

select * from failing

{% endtest %}
