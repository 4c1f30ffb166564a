{#- Resolves each alias to the entity it names. Aliases are polymorphic
    (their entity_type says which table), so resolution is a union of the
    entity tables rather than one relationships test. -#}
with

stg_curated__aliases as (

    select * from {{ ref('stg_curated__aliases') }}

),

stg_curated__companies as (

    select * from {{ ref('stg_curated__companies') }}

),

stg_curated__brands as (

    select * from {{ ref('stg_curated__brands') }}

),

stg_curated__plants as (

    select * from {{ ref('stg_curated__plants') }}

),

stg_curated__people as (

    select * from {{ ref('stg_curated__people') }}

),

stg_curated__places as (

    select * from {{ ref('stg_curated__places') }}

),

stg_curated__vehicle_models as (

    select * from {{ ref('stg_curated__vehicle_models') }}

),

entities as (

    select
        company_id as entity_id,
        'company' as entity_type,
        company_code as entity_code,
        company_name as canonical_name
    from stg_curated__companies
    union all
    select
        brand_id as entity_id,
        'brand' as entity_type,
        brand_code as entity_code,
        brand_name as canonical_name
    from stg_curated__brands
    union all
    select
        plant_id as entity_id,
        'plant' as entity_type,
        plant_code as entity_code,
        plant_name as canonical_name
    from stg_curated__plants
    union all
    select
        person_id as entity_id,
        'person' as entity_type,
        person_code as entity_code,
        full_name as canonical_name
    from stg_curated__people
    union all
    select
        place_id as entity_id,
        'place' as entity_type,
        place_code as entity_code,
        place_name as canonical_name
    from stg_curated__places
    union all
    select
        vehicle_model_id as entity_id,
        'vehicle_model' as entity_type,
        vehicle_model_code as entity_code,
        model_name as canonical_name
    from stg_curated__vehicle_models

),

resolved as (

    select
        stg_curated__aliases.alias_id,
        entities.entity_id,
        stg_curated__aliases.entity_type,
        stg_curated__aliases.entity_code,
        entities.canonical_name,
        stg_curated__aliases.alias,
        stg_curated__aliases.language,
        stg_curated__aliases.is_inflected,
        stg_curated__aliases.is_common_word
    from stg_curated__aliases
    left join entities
        on
            stg_curated__aliases.entity_type = entities.entity_type
            and stg_curated__aliases.entity_code = entities.entity_code

)

select * from resolved
