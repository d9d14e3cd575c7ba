/// The console's page. The console's files are Swift string constants rather than SwiftPM resources: the release
/// binary is all the Docker image and a `make build` user get, and `Bundle.module` would need its resource bundle
/// beside it (it stops the process when the bundle is missing). Hand-written, no framework, nothing from a CDN.
/// The page loads `ConsoleScripts` and `ConsoleStyle` from the same origin only (see `Console.contentSecurityPolicy`).
enum ConsolePage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>StreamRec console</title>
        <link rel="stylesheet" href="/console/style.css">
        <link rel="icon" href="data:,">
        </head>
        <body>
        <header>
          <h1>StreamRec</h1>
          <nav>
            <a href="#/overview" data-view="overview">Overview</a>
            <a href="#/models" data-view="models">Models</a>
            <a href="#/user" data-view="user">User</a>
            <a href="#/item" data-view="item">Item</a>
            <a href="#/instances" data-view="instances">Instances</a>
            <a href="#/evaluation" data-view="evaluation" id="nav-evaluation" hidden>Evaluation</a>
          </nav>
          <span class="instance"><span id="instance">…</span> <span id="ready" class="pill">…</span></span>
        </header>
        <p id="status" role="alert" hidden></p>
        <main id="view"></main>
        <footer>Live from this worker's <a href="/metrics">/metrics</a> and <a href="/v1/models">/v1</a> API.</footer>
        <script type="module" src="/console/app.js"></script>
        </body>
        </html>
        """#
}
