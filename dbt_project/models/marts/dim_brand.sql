with

stg_curated__brands as (

    select * from {{ ref('stg_curated__brands') }}

),

final as (

    select
        brand_id,
        brand_code,
        brand_name,
        origin_country_code,
        note
    from stg_curated__brands

)

select * from final
