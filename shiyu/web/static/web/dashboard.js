/* The command dashboard (templates/web/dashboard/index.html): the grids map, the two
   charts, the rates and the ranking, the risk alerts and the hot issues; each fetched
   again every minute without a reload. The grid outlines are fetched once; only the
   counts travel each minute.

   Sets window.shiyuDashboardReady = true (and data-ready on #dashboard) once the map
   and the charts have first drawn: the browser tests and bench/pages.py wait for it. */
(function () {
  "use strict";

  const root = document.getElementById("dashboard");
  const urls = root.dataset;
  const problem = document.getElementById("dashboard-problem");
  const mapElement = document.getElementById("map");
  const tbody = document.querySelector("#ranking tbody");
  const lang = document.documentElement.lang || undefined;
  // No tickets, then four classes of busier grids up to red.
  const COLOURS = ["#f5f7fa", "#fff3c4", "#ffd54f", "#ffa726", "#ef6c00", "#b71c1c"];

  const volumeChart = echarts.init(document.getElementById("chart-volume"));
  const categoryChart = echarts.init(document.getElementById("chart-category"));
  let counts = {open: {}, overdue: {}};
  let breaks = [];
  let grids = null; // the Leaflet layer, once the outlines are drawn

  const selected = (name) => root.querySelector(`[name="${name}"]:checked, select[name="${name}"]`).value;

  function getJSON(url, params) {
    const query = params ? "?" + new URLSearchParams(params) : "";
    return fetch(url + query, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then((response) => {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      });
  }

  // ---------------------------------------------------------------- the map

  // Class limits from the quartiles of the grids that have any: the colours stay
  // readable whether the busiest grid holds 3 tickets or 300.
  function classBreaks(values) {
    const sorted = values.filter((n) => n > 0).sort((a, b) => a - b);
    const at = (share) => sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
    return sorted.length ? [...new Set([at(0.25), at(0.5), at(0.75), at(0.9)])] : [];
  }

  function colour(n) {
    if (!n) return COLOURS[0];
    const index = breaks.findIndex((limit) => n <= limit);
    return COLOURS[index < 0 ? breaks.length + 1 : index + 1];
  }

  function style(feature) {
    return {color: "#9aa5b1", weight: 0.5, fillOpacity: 0.85,
            fillColor: colour(counts[selected("measure")][feature.properties.id])};
  }

  function label(feature) {
    const id = feature.properties.id;
    return `${feature.properties.name} (${feature.properties.area}): ${counts.open[id] || 0} ${mapElement.dataset.openLabel}`
      + `, ${counts.overdue[id] || 0} ${mapElement.dataset.overdueLabel}`;
  }

  function legend() {
    const limits = [0, ...breaks];
    const items = limits.map((limit, i) => {
      const text = i === 0 ? "0" : limits[i - 1] + 1 === limit ? String(limit) : `${limits[i - 1] + 1}–${limit}`;
      return [COLOURS[i], text];
    });
    if (breaks.length) items.push([COLOURS[breaks.length + 1], `> ${breaks[breaks.length - 1]}`]);
    document.getElementById("map-legend").replaceChildren(...items.map(([fill, text]) => {
      const item = document.createElement("span");
      const swatch = document.createElement("i");
      swatch.style.background = fill;
      item.append(swatch, text);
      return item;
    }));
  }

  function restyle() {
    breaks = classBreaks(Object.values(counts[selected("measure")]));
    if (grids) grids.setStyle(style);
    legend();
  }

  // Canvas, not SVG: thousands of grid polygons stay quick to draw and to restyle.
  const mapDrawn = ShiyuMap.draw(mapElement, urls.gridsUrl, {
    map: {preferCanvas: true},
    style,
    onFeature: (feature, layer) => layer.bindTooltip(() => label(feature), {sticky: true}),
  }).then(({layer}) => {
    grids = layer;
    restyle();
  });

  // ---------------------------------------------------------------- charts

  function drawVolume(data) {
    volumeChart.setOption({
      animation: false,
      tooltip: {trigger: "axis"},
      grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
      xAxis: {type: "category", data: data.days.map((day) => day.slice(5))},
      yAxis: {type: "value"},
      series: [{type: "bar", data: data.counts, itemStyle: {color: "#1565c0"}}],
    });
  }

  function drawCategories(data) {
    const rows = data.categories.slice().reverse(); // the largest on top
    const uncategorised = document.getElementById("chart-category").dataset.uncategorisedLabel;
    categoryChart.setOption({
      animation: false,
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      grid: {left: 8, right: 24, top: 8, bottom: 8, containLabel: true},
      xAxis: {type: "value"},
      yAxis: {type: "category", data: rows.map((row) => row.code === null ? uncategorised : row.name)},
      series: [{type: "bar", data: rows.map((row) => row.count), itemStyle: {color: "#ef6c00"}}],
    });
  }

  // ---------------------------------------------------------------- rates and ranking

  const percent = (value) => value === null || value === undefined ? "–" : (100 * value).toFixed(1) + "%";
  const localTime = (iso) => new Date(iso).toLocaleString(lang);

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function change(row) {
    if (row.rank_change === null) return cell("–", "number");
    const moved = row.rank_change > 0 ? "▲" + row.rank_change : row.rank_change < 0 ? "▼" + -row.rank_change : "=";
    return cell(moved, "number " + (row.rank_change > 0 ? "up" : row.rank_change < 0 ? "down" : ""));
  }

  function rankingRow(row) {
    const name = cell(row.name);
    if (row.governance) {
      const badge = document.createElement("span");
      badge.className = "badge red";
      badge.textContent = tbody.dataset.governanceLabel;
      name.append(" ", badge);
    }
    const tr = document.createElement("tr");
    tr.append(cell(row.rank === null ? "–" : row.rank, "number"), name,
              cell(row.score === null ? "–" : row.score.toFixed(1), "number"),
              cell(percent(row.response_rate), "number"), cell(percent(row.resolution_rate), "number"),
              cell(percent(row.satisfaction_rate), "number"), change(row));
    return tr;
  }

  function drawRates(data) {
    const rates = document.getElementById("rates");
    rates.querySelectorAll("[data-rate]").forEach((el) => { el.textContent = percent(data.city[el.dataset.rate]); });
    rates.querySelectorAll("[data-count]").forEach((el) => { el.textContent = data.city[el.dataset.count]; });
    rates.querySelector('[data-field="as_of"]').textContent = localTime(data.as_of);
    tbody.replaceChildren(...data.rows.map(rankingRow));
  }

  // ---------------------------------------------------------------- alerts

  function badge(level, text) {
    const span = document.createElement("span");
    span.className = "badge " + level;
    span.textContent = text;
    return span;
  }

  function alertItem(alert) {
    const item = document.createElement("li");
    const where = [alert.subdistrict, alert.category].filter(Boolean).join(" · ");
    const details = document.createElement("div");
    details.className = "muted";
    details.textContent = `${alert.signal} · ${alert.status}${where ? " · " + where : ""} · ${localTime(alert.updated_at)}`;
    item.append(badge(alert.level, alert.level_label), " ", alert.reason, details);
    return item;
  }

  function drawAlerts(data) {
    const section = document.getElementById("alerts");
    section.querySelector('[data-list="levels"]').replaceChildren(
      ...data.levels.map((level) => badge(level.level, `${level.label} ${level.count}`)));
    const list = section.querySelector('[data-list="alerts"]');
    list.replaceChildren(...(data.alerts.length ? data.alerts.map(alertItem) : [noneItem(list)]));
  }

  function noneItem(list) {
    const none = document.createElement("li");
    none.className = "muted";
    none.textContent = list.dataset.noneLabel;
    return none;
  }

  function drawHotIssues(data) {
    const section = document.getElementById("hot-issues");
    const list = section.querySelector('[data-list="issues"]');
    const items = data.issues.map((issue) => {
      const item = document.createElement("li");
      const details = document.createElement("div");
      details.className = "muted";
      details.textContent = [issue.place, `${issue.reporters} ${list.dataset.reportersLabel}`,
                             `${issue.size} ${list.dataset.ticketsLabel}`].filter(Boolean).join(" · ");
      item.append(issue.title, details);
      return item;
    });
    list.replaceChildren(...(items.length ? items : [noneItem(list)]));
    section.querySelector('[data-field="as_of"]').textContent = localTime(data.as_of);
  }

  // ---------------------------------------------------------------- loading and refreshing

  const loaders = {
    counts: () => getJSON(urls.gridCountsUrl).then((data) => { counts = data; restyle(); }),
    volume: () => getJSON(urls.volumeUrl, {days: selected("days")}).then(drawVolume),
    categories: () => getJSON(urls.categoriesUrl, {days: selected("days")}).then(drawCategories),
    rates: () => getJSON(urls.ratesUrl, {month: selected("month"), kind: selected("kind")}).then(drawRates),
    alerts: () => getJSON(urls.alertsUrl).then(drawAlerts),
    hotIssues: () => getJSON(urls.hotIssuesUrl).then(drawHotIssues),
  };

  // Each part fails alone: a figure that could not be loaded keeps its last value.
  function load(names) {
    return Promise.allSettled(names.map((name) => loaders[name]())).then((results) => {
      const failed = results.filter((result) => result.status === "rejected");
      failed.forEach((result) => console.warn(result.reason));
      problem.hidden = !failed.length;
      if (!failed.length) document.getElementById("updated").textContent = new Date().toLocaleTimeString(lang);
      if (failed.length) throw failed[0].reason;
    });
  }

  const everything = Object.keys(loaders);
  Promise.all([mapDrawn, load(everything)]).then(() => {
    // Leaflet's canvas paints on the next animation frame; ready means painted.
    requestAnimationFrame(() => requestAnimationFrame(() => {
      performance.mark("shiyu-dashboard-ready"); // bench/pages.py reads its time
      window.shiyuDashboardReady = true;
      root.dataset.ready = "true";
    }));
  }).catch(() => { problem.hidden = false; });

  root.querySelectorAll('[name="measure"]').forEach((input) => input.addEventListener("change", restyle));
  root.querySelector('select[name="days"]').addEventListener("change", () => load(["volume", "categories"]).catch(() => {}));
  root.querySelectorAll('select[name="month"], select[name="kind"]').forEach(
    (select) => select.addEventListener("change", () => load(["rates"]).catch(() => {})));
  setInterval(() => { if (!document.hidden) load(everything).catch(() => {}); },
              Number(root.dataset.refreshSeconds) * 1000);
  window.addEventListener("resize", () => { volumeChart.resize(); categoryChart.resize(); });
})();
