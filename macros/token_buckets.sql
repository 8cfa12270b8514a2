{#- The usage buckets, declared once (docs/contract.md section 3, "Tokens"). Each bucket has a token column
    (<name>_tokens), a cost column (<name>_cost_usd) and the seed's price column that bills it; input: whether it is
    part of a call's input (the long-context tier threshold compares their sum); detail: a breakdown that only some
    layers of a call report (the layer with more of them is the better record); usage: its name where spans report
    usage (the emitter registry, unreported_usage), when not its own. Every list of buckets in the SQL
    (the seed's staging, the price lookup and its fingerprint, the marts' sums and column lists) is generated from
    here; what a bucket means (how it is read from spans, how a missing one is bounded) is its own rule, in
    int_spans__normalized and int_llm_calls__priced. within: a bucket counted inside another bucket's tokens
    (reasoning inside output), so a total of tokens or a provider report never counts it apart; the bucket it is
    within bills only the rest (bucket_billed_tokens). charged_rate: the column of int_llm_calls__priced holding the
    rate a call's bucket is charged at (default <name>_rate; a pool that may hide a missing bucket has its own).
    meter: what the bucket is called in a bill (fct_focus_costs' SkuMeter). Order matters: it is the marts' column order. -#}
{% macro token_buckets() %}
    {#- a Jinja literal, not YAML: this runs hundreds of times per build, and parsing YAML each time cost about a
        twentieth of an incremental run's time -#}
    {{ return([
        {'name': 'uncached_input', 'price': 'input_usd_per_mtok', 'input': true, 'usage': 'input',
            'charged_rate': 'uncached_input_rate', 'meter': 'Uncached Input Tokens'},
        {'name': 'cache_read', 'price': 'cache_read_usd_per_mtok', 'input': true, 'detail': true,
            'meter': 'Cache Read Tokens'},
        {'name': 'cache_write', 'price': 'cache_write_usd_per_mtok', 'input': true, 'detail': true,
            'charged_rate': 'cache_write_charged_rate', 'meter': 'Cache Write Tokens (5 minutes)'},
        {'name': 'cache_write_1h', 'price': 'cache_write_1h_usd_per_mtok', 'input': true, 'detail': true,
            'meter': 'Cache Write Tokens (1 hour)'},
        {'name': 'output', 'price': 'output_usd_per_mtok', 'input': false, 'charged_rate': 'output_charged_rate',
            'meter': 'Output Tokens'},
        {'name': 'reasoning', 'price': 'reasoning_usd_per_mtok', 'input': false, 'detail': true, 'within': 'output',
            'meter': 'Reasoning Tokens'},
    ]) }}
{% endmacro %}

{#- Column names, optionally qualified: token columns (part: none for every bucket, 'input' or 'rest' for the
    input buckets or the others), cost columns, price columns (the seed's order: input, output, then the rest). -#}
{% macro bucket_token_columns(relation=none, part=none) %}
    {%- set columns = [] -%}
    {%- for bucket in token_buckets() if part is none or (part == 'input') == (bucket.input | default(false)) -%}
        {%- do columns.append((relation ~ '.' if relation else '') ~ bucket.name ~ '_tokens') -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{% macro bucket_cost_columns(relation=none) %}
    {%- set columns = [] -%}
    {%- for bucket in token_buckets() -%}
        {%- do columns.append((relation ~ '.' if relation else '') ~ bucket.name ~ '_cost_usd') -%}
    {%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{% macro price_columns(relation=none) %}
    {%- set names = ['input_usd_per_mtok', 'output_usd_per_mtok'] -%}
    {%- for bucket in token_buckets() if bucket.price not in names -%}
        {%- do names.append(bucket.price) -%}
    {%- endfor -%}
    {%- set columns = [] -%}
    {%- for name in names -%}{%- do columns.append((relation ~ '.' if relation else '') ~ name) -%}{%- endfor -%}
    {{ return(columns) }}
{% endmacro %}

{#- A call's whole input: the sum of its input buckets' tokens. -#}
{% macro input_tokens_sum(relation=none) -%}
    {{ bucket_token_columns(relation, part='input') | join(' + ') }}
{%- endmacro %}

{#- Select-list lines for every bucket, `<relation>.<column>,` (bucket_columns) or `sum(<relation>.<column>) as
    <column>,` (bucket_sums); kind: tokens | costs; part (tokens): as in bucket_token_columns. Unqualified without a
    relation. -#}
{% macro bucket_columns(relation=none, kind='tokens', part=none) -%}
    {%- for column in (bucket_token_columns(relation, part) if kind == 'tokens' else bucket_cost_columns(relation)) %}
        {{ column }},
    {%- endfor -%}
{%- endmacro %}

{% macro bucket_sums(relation=none, kind='tokens', part=none) -%}
    {%- set names = bucket_token_columns(none, part) if kind == 'tokens' else bucket_cost_columns() -%}
    {%- for column in (bucket_token_columns(relation, part) if kind == 'tokens' else bucket_cost_columns(relation)) %}
        sum({{ column }}) as {{ names[loop.index0] }},
    {%- endfor -%}
{%- endmacro %}

{#- How many detail buckets a call reports (non-zero). -#}
{% macro detail_buckets_filled(relation=none) -%}
    {%- set terms = [] -%}
    {%- for bucket in token_buckets() if bucket.detail -%}
        {%- do terms.append('(case when ' ~ (relation ~ '.' if relation else '') ~ bucket.name ~ '_tokens > 0 then 1 else 0 end)') -%}
    {%- endfor -%}
    {{ terms | join('\n        + ') }}
{%- endmacro %}

{#- The name a bucket's usage is reported under (emitter registry, is_<usage>_reported, unreported_usage). -#}
{% macro bucket_usage_names() %}
    {%- set names = [] -%}
    {%- for bucket in token_buckets() -%}{%- do names.append(bucket.usage | default(bucket.name)) -%}{%- endfor -%}
    {{ return(names) }}
{% endmacro %}

{#- The comma-separated names of the buckets a call is missing (is_<usage>_missing), null when none. -#}
{% macro missing_usage_list() -%}
    {%- set missing = [] -%}
    {%- for usage in bucket_usage_names() -%}
        {%- do missing.append("case when is_" ~ usage ~ "_missing then '" ~ usage ~ "' end") -%}
    {%- endfor -%}
    {{ join_non_null(missing, ',') }}
{%- endmacro %}

{#- The buckets counted on their own (not within another: reasoning is inside output): a call's total tokens are
    their sum, and they are what the provider reports count (rpt_invoice_reconciliation). -#}
{% macro own_buckets() %}
    {%- set buckets = [] -%}
    {%- for bucket in token_buckets() if not bucket.within -%}{%- do buckets.append(bucket) -%}{%- endfor -%}
    {{ return(buckets) }}
{% endmacro %}

{#- The rate a bucket's reported tokens are billed at: its own price column, else its pool's (input for the input
    buckets, output for the rest), else 0 (docs/contract.md section 4). relation: where the price columns are;
    column_prefix: a prefix of their names (effective_ for the contract rates). -#}
{% macro bucket_rate(bucket_name, relation=none, column_prefix='') -%}
    {%- set prefix = (relation ~ '.' if relation else '') ~ column_prefix -%}
    {%- for bucket in token_buckets() if bucket.name == bucket_name -%}
        {%- set pool = 'input_usd_per_mtok' if bucket.input else 'output_usd_per_mtok' -%}
        coalesce({{ prefix ~ bucket.price }}{% if bucket.price != pool %}, {{ prefix ~ pool }}{% endif %}, 0)
    {%- endfor -%}
{%- endmacro %}

{#- A total of tokens: the sum of the own buckets' token columns (reasoning is inside output). -#}
{% macro own_tokens_sum(relation=none) -%}
    {%- set columns = [] -%}
    {%- for bucket in own_buckets() -%}
        {%- do columns.append((relation ~ '.' if relation else '') ~ bucket.name ~ '_tokens') -%}
    {%- endfor -%}
    {{ columns | join(' + ') }}
{%- endmacro %}

{#- The tokens a bucket bills on its own: its tokens less those of the buckets counted within it (output less
    reasoning) and less the token-rate parts carved from it at a rate of their own (parts: the list macro
    token_rate_parts gives, read once per model; int_llm_calls__priced and what reads it), as an expression over
    `relation`. -#}
{% macro bucket_billed_tokens(bucket_name, relation=none, parts=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ prefix ~ bucket_name }}_tokens
    {%- for inner in token_buckets() if inner.within == bucket_name %} - {{ prefix ~ inner.name }}_tokens{% endfor -%}
    {%- for part in parts or [] if part.of == bucket_name %} - {{ prefix ~ part.name }}_billed_tokens{% endfor -%}
{%- endmacro %}

{#- Parts of a bucket's tokens billed at a rate of their own (the emitter registry's token_rate price modifiers: audio
    tokens), one entry per part: name (its columns in int_llm_calls__priced: <name>_billed_tokens, <name>_usd_per_mtok,
    <name>_cost_usd), modifier and signal (the count it is part of), of (the bucket it is carved from), rate (the
    price modifier seed's column), meter (fct_focus_costs' SkuMeter); cached: the name of its cached part (none without);
    uncached, for a cached part: the part whose tokens it splits with (a span reports audio input, not which of it was
    read from a cache; none for the others). -#}
{% macro token_rate_parts() %}
    {%- set parts = [] -%}
    {%- for modifier, rule in emitter_registry()['price_modifiers'].items() if rule['effect'] == 'token_rate' -%}
        {%- do parts.append({'name': rule['part'], 'modifier': modifier, 'signal': rule['signal'], 'of': rule['of'],
            'rate': 'usd_per_mtok', 'meter': rule['meter'], 'uncached': none, 'cached': rule.get('cached_part')}) -%}
        {%- if rule.get('cached_part') -%}
            {%- do parts.append({'name': rule['cached_part'], 'modifier': modifier, 'signal': rule['signal'],
                'of': 'cache_read', 'rate': 'cache_read_usd_per_mtok', 'meter': rule['cached_meter'],
                'uncached': rule['part'], 'cached': none}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts) }}
{% endmacro %}

{#- The column of int_llm_calls__priced with the rate a call's bucket is charged at; column_prefix: effective_ for
    the contract rate. -#}
{% macro bucket_charged_rate(bucket_name, relation=none, column_prefix='') -%}
    {%- for bucket in token_buckets() if bucket.name == bucket_name -%}
        {{ (relation ~ '.' if relation else '') ~ column_prefix ~ (bucket.charged_rate | default(bucket.name ~ '_rate')) }}
    {%- endfor -%}
{%- endmacro %}

{#- The names unreported_usage may list for a token-rate part whose cached share is not reported (audio_cache_read);
    parts: as token_rate_parts gives them, when the caller has them. -#}
{% macro token_rate_split_names(parts=none) %}
    {{ return((parts or token_rate_parts()) | selectattr('uncached') | map(attribute='name') | list) }}
{% endmacro %}
