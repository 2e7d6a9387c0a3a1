/// The preview's stylesheet, served as `/assets/preview.css`: readable on a laptop and a phone,
/// light and dark, no web fonts.
enum PreviewStyle {
    static let css = #"""
    :root { color-scheme: light dark; --fg: #1c1f23; --muted: #5d6670; --bg: #fff; --panel: #f4f6f8; --line: #d9dee3; --accent: #0b63ce; }
    @media (prefers-color-scheme: dark) { :root { --fg: #e6e9ec; --muted: #9aa5b1; --bg: #15181b; --panel: #1f2327; --line: #343a40; --accent: #6aa8ff; } }
    * { box-sizing: border-box; }
    body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
    a { color: var(--accent); }
    header.bar { display: flex; gap: .75rem; align-items: baseline; padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--panel); }
    .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
    .where { color: var(--muted); }
    .live { margin-left: auto; font-size: .8rem; color: #1a7f37; }
    .live::before { content: "● "; }
    main { padding: 1rem; max-width: 90rem; margin: 0 auto; }
    form.filters { display: flex; flex-wrap: wrap; gap: .5rem .75rem; align-items: end; margin-bottom: .75rem; }
    form.filters label { display: flex; flex-direction: column; font-size: .8rem; color: var(--muted); }
    form.filters input, form.filters select { font: inherit; padding: .3rem .45rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); min-width: 9rem; }
    form.filters input[type=search] { min-width: 16rem; }
    button { font: inherit; padding: .3rem .8rem; border: 1px solid var(--line); border-radius: 4px; background: var(--panel); color: var(--fg); cursor: pointer; }
    button[aria-pressed=true] { border-color: var(--accent); }
    .count, .note, .empty { color: var(--muted); }
    table { border-collapse: collapse; width: 100%; }
    th, td { text-align: left; padding: .4rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
    th { font-size: .8rem; color: var(--muted); font-weight: 600; }
    td.size { white-space: nowrap; text-align: right; }
    time { white-space: nowrap; }
    tr.fresh { animation: fresh 2s ease-out; }
    @keyframes fresh { from { background: #fff3b0; } to { background: transparent; } }
    .tag { display: inline-block; padding: 0 .4rem; border-radius: 3px; background: var(--panel); border: 1px solid var(--line); font-size: .8rem; }
    .state { font-size: .8rem; font-weight: 600; }
    .state-sent { color: #1a7f37; } .state-failed { color: #cf222e; } .state-pending { color: #9a6700; } .state-outbox, .state-suppressed { color: var(--muted); }
    nav.pages { display: flex; gap: 1rem; margin-top: .75rem; }
    h1 { font-size: 1.35rem; margin: .25rem 0 .75rem; overflow-wrap: anywhere; }
    h2 { font-size: 1rem; }
    body.tabbed section.tab > h2 { display: none; }
    dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0 0 1rem; }
    dl.summary dt { color: var(--muted); }
    dl.summary dd { margin: 0; overflow-wrap: anywhere; }
    nav.tabs { display: flex; flex-wrap: wrap; gap: .25rem; border-bottom: 1px solid var(--line); margin-bottom: .75rem; }
    nav.tabs a { padding: .35rem .7rem; text-decoration: none; border: 1px solid transparent; border-bottom: none; border-radius: 4px 4px 0 0; }
    nav.tabs a.active { border-color: var(--line); background: var(--panel); color: var(--fg); }
    .toolbar { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; margin-bottom: .5rem; }
    .frame { border: 1px solid var(--line); border-radius: 4px; background: #fff; width: 100%; transition: width .2s; }
    .frame.narrow { width: 375px; max-width: 100%; }
    .frame iframe { display: block; width: 100%; height: 70vh; border: 0; resize: vertical; }
    pre { background: var(--panel); padding: .75rem; border-radius: 4px; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
    pre.raw { max-height: 75vh; }
    .error { color: #cf222e; }
    @media (max-width: 700px) {
      main { padding: .6rem; }
      form.filters input, form.filters select, form.filters input[type=search] { min-width: 0; width: 100%; }
      form.filters label { flex: 1 1 45%; }
      table.messages thead { display: none; }
      table.messages tr { display: grid; grid-template-columns: 1fr auto; padding: .4rem 0; border-bottom: 1px solid var(--line); }
      table.messages td { border: 0; padding: .05rem .25rem; }
      table.messages td:nth-child(4) { grid-column: 1 / -1; order: -1; font-weight: 600; }
      dl.summary { grid-template-columns: 1fr; }
    }
    """#
}
