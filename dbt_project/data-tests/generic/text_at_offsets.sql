{#- Offsets stay honest: the article text between start_offset (0-based,
    inclusive) and end_offset (exclusive) is exactly the stored surface
    text. Returns the rows where it is not, or where an offset is missing
    (a null offset would otherwise compare as null and pass). -#}
{% test text_at_offsets(
    model,
    column_name,
    start_column='start_offset',
    end_column='end_offset'
) %}

with

items as (

    select * from {{ model }}

),

articles as (

    select * from {{ ref('stg_news__articles') }}

),

mismatched as (

    select items.*
    from items
    left join articles
        on items.article_id = articles.article_id
    where
        articles.article_id is null
        or items.{{ start_column }} is null
        or items.{{ end_column }} is null
        or {{ text_between_offsets(
            'articles.article_text',
            'items.' ~ start_column,
            'items.' ~ end_column
        ) }} <> items.{{ column_name }}

)

select * from mismatched

{% endtest %}
