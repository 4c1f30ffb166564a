with

stg_curated__people as (

    select * from {{ ref('stg_curated__people') }}

),

final as (

    select
        person_id,
        person_code,
        full_name,
        note
    from stg_curated__people

)

select * from final
