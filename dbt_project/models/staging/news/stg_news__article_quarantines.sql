with

source as (

    select * from {{ source('news', 'article_quarantine') }}

),

renamed as (

    select
        {{ surrogate_key(['file_path']) }} as quarantined_file_id,
        file_name,
        file_path,
        quarantine_kind,
        reason,
        ingested_at
    from source

)

select * from renamed
