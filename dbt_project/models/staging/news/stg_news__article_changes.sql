with

source as (

    select * from {{ source('news', 'article_changes') }}

),

renamed as (

    select
        article_id,
        change_kind
    from source

)

select * from renamed
