with

stg_curated__companies as (

    select * from {{ ref('stg_curated__companies') }}

),

final as (

    select
        company_id,
        company_code,
        company_name,
        company_kind,
        country_code,
        note
    from stg_curated__companies

)

select * from final
