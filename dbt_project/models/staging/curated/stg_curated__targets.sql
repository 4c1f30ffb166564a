with

source as (

    select * from {{ source('curated', 'targets') }}

),

renamed as (

    select
        {{ entity_id('target', 'target_code') }} as target_id,
        {{ entity_id('announcement', 'announcement_code') }} as announcement_id,
        {{ entity_id('plant', 'plant_code') }} as plant_id,
        {{ entity_id('company', 'company_code') }} as company_id,
        {{ entity_id('brand', 'brand_code') }} as brand_id,
        trim(article_id) as article_id,
        trim(target_code) as target_code,
        trim(announcement_code) as announcement_code,
        trim(metric) as metric,
        trim(unit) as unit,
        trim(currency) as currency,
        trim(qualifier) as qualifier,
        trim(period_grain) as period_grain,
        trim(scope) as scope,
        trim(plant_code) as plant_code,
        trim(company_code) as company_code,
        trim(brand_code) as brand_code,
        evidence_quote,
        value_low,
        value_high,
        source_line,
        period_start,
        period_end
    from source

)

select * from renamed
