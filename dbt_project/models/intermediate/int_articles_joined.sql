{#- Joins each article read from disk to its curated metadata. An article
    without curated metadata keeps null metadata (the build lists those
    files). The title is the curated headline where the file's first line
    is not the headline. -#}
with

stg_news__articles as (

    select * from {{ ref('stg_news__articles') }}

),

stg_curated__articles as (

    select * from {{ ref('stg_curated__articles') }}

),

joined as (

    select
        stg_news__articles.article_id,
        stg_curated__articles.outlet_company_id,
        stg_news__articles.file_name,
        stg_news__articles.language,
        stg_news__articles.source_encoding,
        stg_curated__articles.outlet_company_code,
        stg_curated__articles.cited_source,
        stg_curated__articles.published_on_precision,
        stg_curated__articles.published_on_basis,
        stg_curated__articles.published_on_reasoning,
        stg_curated__articles.source_url,
        stg_news__articles.article_text,
        stg_news__articles.byte_length,
        stg_news__articles.character_length,
        stg_curated__articles.published_on,
        stg_news__articles.ingested_at,
        coalesce(
            stg_curated__articles.title, stg_news__articles.title
        ) as title
    from stg_news__articles
    left join stg_curated__articles
        on stg_news__articles.article_id = stg_curated__articles.article_id

)

select * from joined
