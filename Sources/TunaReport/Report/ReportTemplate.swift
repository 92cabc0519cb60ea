/// The report's page: one Mustache template (SVGs and the trials table come in as values), with
/// its style sheet inline so the file opens from disk with no network and no script.
enum ReportTemplate {
  static let page = """
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="generator" content="Tuna {{version}}">
    <title>{{title}}</title>
    <style>
    {{{style}}}
    </style>
    </head>
    <body>
    <header class="page">
    <h1>{{title}}</h1>
    <p class="meta">Generated {{generated}} by Tuna {{version}}.</p>
    </header>
    {{#studies}}
    <article class="study" id="{{id}}">
    {{#several}}<h1 class="study-name">Study “{{name}}”</h1>{{/several}}
    <nav class="toc" aria-label="Sections">
    <a href="#{{id}}-summary">Summary</a>
    <a href="#{{id}}-importance">Importance</a>
    <a href="#{{id}}-history">History</a>
    <a href="#{{id}}-slices">Slices</a>
    {{#hasParallel}}<a href="#{{id}}-parallel">Parallel coordinates</a>{{/hasParallel}}
    {{#hasIntermediate}}<a href="#{{id}}-intermediate">Intermediate values</a>{{/hasIntermediate}}
    {{#hasPareto}}<a href="#{{id}}-pareto">Pareto front</a>{{/hasPareto}}
    {{#hasTimeline}}<a href="#{{id}}-timeline">Timeline</a>{{/hasTimeline}}
    <a href="#{{id}}-trials">Trials</a>
    </nav>

    <section id="{{id}}-summary" class="summary">
    <h2>Summary</h2>
    <div class="columns">
    <table class="facts">
    <tbody>
    <tr><th scope="row">Study</th><td>{{name}}</td></tr>
    {{#facts}}<tr><th scope="row">{{label}}</th><td>{{value}}</td></tr>
    {{/facts}}
    </tbody>
    </table>
    {{#hasBest}}
    <div class="best">
    <h3>{{bestTitle}}</h3>
    <p class="best-value">{{bestValue}}</p>
    <table class="params">
    <thead><tr><th scope="col">parameter</th><th scope="col">value</th></tr></thead>
    <tbody>
    {{#bestParams}}<tr><th scope="row">{{name}}</th><td>{{value}}</td></tr>
    {{/bestParams}}
    </tbody>
    </table>
    </div>
    {{/hasBest}}
    </div>
    {{#hasFront}}
    <h3>Pareto front</h3>
    <div class="scroll">
    <table class="front">
    <thead><tr>{{#frontHeader}}<th scope="col">{{.}}</th>{{/frontHeader}}</tr></thead>
    <tbody>
    {{#frontRows}}<tr>{{#cells}}<td>{{.}}</td>{{/cells}}</tr>
    {{/frontRows}}
    </tbody>
    </table>
    </div>
    <p class="caption">{{frontNote}}</p>
    {{/hasFront}}
    </section>

    <section id="{{id}}-importance" class="importance">
    <h2>Which hyperparameters mattered</h2>
    {{#objectives}}
    {{#multi}}<h3 class="objective">{{title}} ({{direction}})</h3>{{/multi}}
    {{#hasNote}}<p class="note">{{note}}</p>{{/hasNote}}
    {{#hasAnalysis}}
    <p class="lead">Functional ANOVA splits the objective's variance over the search space into what each parameter
    explains alone (its main effect) and what pairs explain only together (their interaction), from a random forest
    fitted on the trials; whiskers show the spread over the forest's trees. PED-ANOVA ranks parameters by how differently
    the best 10% of trials chose them. {{analysedTrials}}</p>
    <figure class="plot">{{{importanceSvg}}}</figure>
    <div class="scroll">
    <table class="importance-table">
    <thead><tr><th scope="col">parameter</th><th scope="col" class="num">fANOVA main effect</th><th scope="col" class="num">± over trees</th>
    <th scope="col" class="num">PED-ANOVA</th><th scope="col">distribution</th><th scope="col">present</th></tr></thead>
    <tbody>
    {{#importanceRows}}<tr><th scope="row">{{name}}</th><td class="num">{{fanova}}</td><td class="num">{{std}}</td><td class="num">{{ped}}</td><td>{{distribution}}</td><td>{{conditional}}</td></tr>
    {{/importanceRows}}
    </tbody>
    </table>
    </div>
    <h3>Which hyperparameters acted together</h3>
    <p class="lead">{{decomposition}}</p>
    <figure class="plot matrix" style="max-width: {{matrixWidth}}px">{{{matrixSvg}}}</figure>
    {{#hasPairs}}
    <ol class="pairs">
    {{#topPairs}}<li><strong>{{a}} × {{b}}</strong>: {{fraction}} of the variance (± {{std}} over trees)</li>
    {{/topPairs}}
    </ol>
    {{/hasPairs}}
    {{^hasPairs}}<p class="note">No pair of parameters interacts.</p>{{/hasPairs}}
    {{/hasAnalysis}}
    {{/objectives}}
    </section>

    <section id="{{id}}-history" class="history">
    <h2>How the search went</h2>
    {{#objectives}}
    {{#multi}}<h3 class="objective">{{title}} ({{direction}})</h3>{{/multi}}
    <figure class="plot">{{{historySvg}}}</figure>
    {{/objectives}}
    </section>

    <section id="{{id}}-slices" class="slices">
    <h2>Slices of the most important parameters</h2>
    <p class="lead">Each trial's objective against one parameter; the line is fANOVA's prediction with every other
    parameter averaged out, the band its spread over trees.</p>
    {{#objectives}}
    {{#multi}}<h3 class="objective">{{title}} ({{direction}})</h3>{{/multi}}
    {{#hasSlicesNote}}<p class="note">{{slicesNote}}</p>{{/hasSlicesNote}}
    <div class="grid">
    {{#slices}}<figure class="plot">{{{svg}}}</figure>
    {{/slices}}
    </div>
    {{#hasContour}}
    <h3>{{contourHeading}}</h3>
    <p class="lead">{{contourCaption}}</p>
    <figure class="plot contour">{{{contourSvg}}}</figure>
    {{/hasContour}}
    {{/objectives}}
    </section>

    {{#hasParallel}}
    <section id="{{id}}-parallel" class="parallel">
    <h2>Parallel coordinates</h2>
    <div class="scroll"><figure class="plot" style="width: {{parallelWidth}}px; max-width: none">{{{parallelSvg}}}</figure></div>
    </section>
    {{/hasParallel}}

    {{#hasIntermediate}}
    <section id="{{id}}-intermediate" class="intermediate">
    <h2>Intermediate values</h2>
    <p class="lead">{{intermediateCaption}}</p>
    <figure class="plot">{{{intermediateSvg}}}</figure>
    </section>
    {{/hasIntermediate}}

    {{#hasPareto}}
    <section id="{{id}}-pareto" class="pareto">
    <h2>Pareto front</h2>
    <p class="lead">{{paretoCaption}}</p>
    <figure class="plot">{{{paretoSvg}}}</figure>
    </section>
    {{/hasPareto}}

    {{#hasTimeline}}
    <section id="{{id}}-timeline" class="timeline">
    <h2>Timeline</h2>
    <p class="lead">{{timelineCaption}}</p>
    <figure class="plot">{{{timelineSvg}}}</figure>
    </section>
    {{/hasTimeline}}

    <section id="{{id}}-trials" class="trials-section">
    <h2>Trials</h2>
    {{#table}}
    {{#hasNote}}<p class="note">{{note}}</p>{{/hasNote}}
    <div class="scroll tall">
    <table class="trials">
    <thead><tr>{{#header}}<th scope="col"{{#num}} class="num"{{/num}}>{{text}}</th>{{/header}}</tr></thead>
    <tbody>
    {{#rows}}<tr class="{{state}}{{#best}} best{{/best}}">{{#cells}}<td{{#num}} class="num"{{/num}}>{{text}}</td>{{/cells}}<td class="reason">{{note}}</td></tr>
    {{/rows}}
    </tbody>
    </table>
    </div>
    {{/table}}
    </section>
    </article>
    {{/studies}}
    <footer class="page"><p>Made with Tuna {{version}}. Trials table and plots show the study as it was when the report was written.</p></footer>
    </body>
    </html>

    """

  static let style = """
    :root { color-scheme: light; --ink: #1d2433; --muted: #5b6475; --line: #d9dee8; --panel: #f6f8fb; --accent: #3b5bdb; }
    * { box-sizing: border-box; }
    body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
    h1 { font-size: 26px; margin: 0 0 4px; }
    h2 { font-size: 20px; margin: 36px 0 8px; padding-top: 12px; border-top: 1px solid var(--line); }
    h3 { font-size: 16px; margin: 24px 0 8px; }
    h1.study-name { margin-top: 40px; }
    .meta, .caption, .lead { color: var(--muted); }
    .lead { max-width: 880px; margin: 4px 0 12px; }
    .note { background: #fff8e6; border: 1px solid #f0d48a; padding: 8px 12px; border-radius: 6px; }
    nav.toc { display: flex; flex-wrap: wrap; gap: 6px 14px; margin: 12px 0 4px; padding: 10px 12px; background: var(--panel); border-radius: 8px; }
    nav.toc a { color: var(--accent); text-decoration: none; font-weight: 500; }
    nav.toc a:hover { text-decoration: underline; }
    .columns { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
    table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
    th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
    thead th { background: var(--panel); font-weight: 600; }
    .num { text-align: right; }
    table.facts th { color: var(--muted); font-weight: 500; }
    .best { background: var(--panel); border-radius: 8px; padding: 8px 16px 12px; min-width: 280px; }
    .best h3 { margin: 4px 0; }
    .best-value { font-size: 28px; font-weight: 600; margin: 0 0 8px; }
    figure.plot { margin: 8px 0 16px; max-width: 760px; }
    figure.plot svg { display: block; width: 100%; height: auto; }
    .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 8px 24px; }
    .grid figure.plot { margin: 0; }
    ol.pairs { margin: 0 0 8px; }
    .scroll { overflow-x: auto; max-width: 100%; }
    .scroll.tall { max-height: 640px; overflow-y: auto; border: 1px solid var(--line); border-radius: 6px; }
    .scroll.tall thead th { position: sticky; top: 0; z-index: 1; }
    table.trials { font-size: 13px; }
    table.trials td { white-space: nowrap; }
    table.trials td.reason { white-space: normal; min-width: 220px; max-width: 520px; color: var(--muted); }
    table.front { font-size: 13px; }
    tr.best td { background: #e7f5e9; font-weight: 600; }
    tr.fail td:nth-child(2) { color: #c92a2a; }
    tr.pruned td:nth-child(2) { color: #e67700; }
    tr.running td:nth-child(2), tr.waiting td:nth-child(2) { color: #5b6475; font-style: italic; }
    footer.page { margin-top: 40px; color: var(--muted); font-size: 13px; border-top: 1px solid var(--line); padding-top: 8px; }
    @media print { nav.toc { display: none; } .scroll.tall { max-height: none; overflow: visible; } }
    """
}
