-- One price-modifier row applies to a signal at a time: a row with a pattern wins over one without, then the later
-- effective_from (macros/pricing.sql, choose_modifier_rows). Two rows of one provider and modifier with the same start
-- and the same specificity (both with a model pattern, or both for every model; the same match pattern, or both for
-- every value) that cover a common priced model would leave the choice to the rows' keys: an error naming the rows.
-- Match patterns that differ in text are taken as disjoint (whether two regexes share a value is not decided here).
{%- set tied_keys %}
    with

    modifiers as (
        select * from {{ ref('stg_seeds__price_modifiers') }}
    ),

    {{ priced_model_coverage('modifiers', ['modifier_key', 'modifier', 'match_pattern', 'effective_from']) }}

    select distinct
        coverage.modifier_key,
        coverage.covered_model,
        other.modifier_key as other_modifier_key
    from coverage
    inner join coverage as other
        on coverage.provider = other.provider
        and coverage.modifier = other.modifier
        and coverage.covered_model = other.covered_model
        and coverage.effective_from = other.effective_from
        and coverage.modifier_key <> other.modifier_key
        and (coverage.model_pattern is null) = (other.model_pattern is null)
        and coalesce(coverage.match_pattern, '') = coalesce(other.match_pattern, '')
{%- endset %}
{{ seed_row_problems(ref('price_modifiers'),
    text_key([
        'lower(trim(seed_rows.provider))', 'lower(trim(seed_rows.modifier))', "nullif(trim(seed_rows.model_pattern), '')",
        "nullif(trim(seed_rows.match_pattern), '')", 'seed_rows.effective_from',
    ]) ~ ' in (select tied.modifier_key from (' ~ tied_keys ~ ') as tied)',
    ['effective_from'],
    'starts with another row of the same provider, modifier and match pattern that covers a model this row covers '
    ~ '(two patterns matching one priced model, or two rows for every model): give one a later start, or narrow a pattern') }}
{{ tied_keys }}
