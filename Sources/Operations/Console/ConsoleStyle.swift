/// The console's style sheet, served at `/console/style.css`.
enum ConsoleStyle {
    static let css = #"""
        :root {
          --background: #f5f6f8; --panel: #ffffff; --ink: #1d2430; --muted: #667085; --line: #e3e6eb;
          --accent: #2563eb; --good: #15803d; --bad: #b42318; --flash: #fff7d6;
          font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
          color: var(--ink); background: var(--background);
        }
        body { margin: 0; }
        header { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #111827; color: #f9fafb; }
        header h1 { font-size: 18px; margin: 0; letter-spacing: 0.02em; }
        nav { display: flex; gap: 4px; flex: 1; }
        nav a { color: #cbd5e1; text-decoration: none; padding: 6px 12px; border-radius: 6px; }
        nav a.active, nav a:hover { background: #1f2937; color: #fff; }
        .instance { font-family: ui-monospace, monospace; font-size: 13px; }
        main { padding: 16px 24px; }
        footer { padding: 8px 24px 24px; color: var(--muted); font-size: 12px; }
        a { color: var(--accent); }
        h2 { font-size: 18px; margin: 4px 0 12px; }
        h3 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); margin: 16px 0 6px; }
        #status { margin: 0; padding: 8px 24px; background: #fef3f2; color: var(--bad); }
        .pill { display: inline-block; padding: 1px 8px; border-radius: 10px; background: #e5e7eb; color: #374151; font-size: 12px; }
        .pill.live { background: #dcfce7; color: var(--good); }
        .pill.down { background: #fee4e2; color: var(--bad); }
        .tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; }
        .tile { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
        .tile .label { display: block; color: var(--muted); font-size: 12px; }
        .tile .value { display: block; font-size: 22px; font-variant-numeric: tabular-nums; }
        .charts, .columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 16px; }
        .panels { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 16px; }
        .chart, .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 8px 12px; }
        .panel h3 { margin-top: 4px; }
        .panel.flash { animation: flash 1.2s ease-out; }
        @keyframes flash { from { background: var(--flash); } to { background: var(--panel); } }
        .meta { color: var(--muted); font-size: 12px; margin: 0 0 6px; }
        figure { margin: 0; }
        figcaption { color: var(--muted); font-size: 11px; text-align: right; }
        .sparkline { width: 100%; height: 80px; }
        .sparkline polyline { fill: none; stroke: var(--accent); stroke-width: 1.5; vector-effect: non-scaling-stroke; }
        table { border-collapse: collapse; width: 100%; background: var(--panel); }
        th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { color: var(--muted); font-weight: 600; font-size: 12px; }
        td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
        .bar { display: inline-block; height: 8px; background: var(--accent); border-radius: 4px; min-width: 1px; }
        .source { font-size: 11px; padding: 0 6px; border-radius: 8px; background: #eef2ff; color: #3730a3; }
        .source.cf { background: #ecfdf3; color: #067647; }
        .source.trending { background: #fff4ed; color: #b93815; }
        .source.popular { background: #f4f3ff; color: #5925dc; }
        .source.cart { background: #fdf2fa; color: #c11574; }
        .search { display: flex; gap: 8px; align-items: center; margin-bottom: 12px; flex-wrap: wrap; }
        .search input { padding: 6px 10px; border: 1px solid var(--line); border-radius: 6px; min-width: 220px; font: inherit; }
        .search button { padding: 6px 14px; border: 0; border-radius: 6px; background: var(--accent); color: #fff; font: inherit; cursor: pointer; }
        .suggestions { color: var(--muted); }
        .events { margin: 0; padding-left: 20px; background: var(--panel); border: 1px solid var(--line); border-radius: 8px; }
        .events li { padding: 2px 0; }
        .empty { color: var(--muted); }
        .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(120px, 1fr)); gap: 6px; }
        .cell { border-radius: 6px; padding: 6px 8px; color: #fff; font-size: 12px; }
        .cell b { display: block; font-size: 16px; }
        .cell.unowned { background: #98a2b3; }
        .owner-0 { background: #2563eb; } .owner-1 { background: #16a34a; } .owner-2 { background: #d97706; }
        .owner-3 { background: #9333ea; } .owner-4 { background: #dc2626; } .owner-5 { background: #0891b2; }
        .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
        tr.active td:first-child { font-weight: 600; }
        #evaluation-plot { max-width: 100%; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
        """#
}
