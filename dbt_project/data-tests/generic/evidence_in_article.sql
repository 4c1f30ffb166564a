{#- Every curated fact must be grounded: its quote is a verbatim substring
    of the normalised text of the article it names. Returns the rows whose
    quote is missing from their article, or whose article is unknown. -#}
{% test evidence_in_article(
    model, column_name, article_id_column='article_id'
) %}

with

facts as (

    select * from {{ model }}

),

articles as (

    select * from {{ ref('stg_news__articles') }}

),

ungrounded as (

    select
        facts.*,
        articles.article_id is null as is_article_missing
    from facts
    left join articles
        on facts.{{ article_id_column }} = articles.article_id
    where
        articles.article_id is null
        or {{ dbt.position(
            'facts.' ~ column_name, 'articles.article_text'
        ) }} = 0

)

select * from ungrounded

{% endtest %}
