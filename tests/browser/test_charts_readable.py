"""Charts a person can read on a laptop and on a phone (Spanish, the demo's data).

- A chart drawn at laptop width shrinks with the window (Plotly's ``responsive``): after the
  viewport goes from 1366 to 390 px, every plot fits its box and the page.
- On a phone, the tick labels of an axis never overlap each other, nor do the names written
  on the relationship typology.
"""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.utils import timezone

from kamp.core.demo import load

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}

# Width of each drawn plot (its SVG) and of the box it was drawn in.
PLOT_WIDTHS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => ({
  id: el.id, svg: el.querySelector('.main-svg').getBoundingClientRect().width,
  box: el.getBoundingClientRect().width }))"""

# Pairs of tick labels of one axis (or texts of one trace) whose boxes overlap by more than a
# pixel: what a person sees as a smudge of digits or names.
OVERLAPS = """() => {
  // Each text as its centre, its own (unrotated) size and its angle, so angled tick labels are
  // compared as the slanted boxes a person sees (separating axes), not as their bounding boxes.
  function shape(t) {
    const r = t.getBoundingClientRect(), b = t.getBBox();
    const m = /rotate\\((-?[\\d.]+)/.exec(t.getAttribute('transform') || '');
    const a = (m ? parseFloat(m[1]) : 0) * Math.PI / 180;
    return { text: t.textContent, cx: (r.left + r.right) / 2, cy: (r.top + r.bottom) / 2,
             w: b.width, h: b.height, a: a, shown: r.width > 0 };
  }
  const found = [];
  const groups = [];
  document.querySelectorAll('.js-plotly-plot').forEach(plot => {
    plot.querySelectorAll('.xaxislayer-above, .yaxislayer-above, .angularaxis, .radialaxis')
      .forEach(layer => groups.push([plot.id, layer.querySelectorAll('text')]));
    groups.push([plot.id + ' names', plot.querySelectorAll('.scatterlayer .textpoint text')]);
  });
  for (const [id, texts] of groups) {
    const shapes = Array.from(texts).filter(t => t.textContent.trim()).map(shape)
      .filter(s => s.shown);
    for (let i = 0; i < shapes.length; i++) {
      for (let j = i + 1; j < shapes.length; j++) {
        const p = shapes[i], q = shapes[j];
        const ux = Math.cos(p.a), uy = Math.sin(p.a);
        const dx = q.cx - p.cx, dy = q.cy - p.cy;
        const along = Math.abs(dx * ux + dy * uy), across = Math.abs(-dx * uy + dy * ux);
        if (along < (p.w + q.w) / 2 - 1 && across < (p.h + q.h) / 2 - 2) {
          found.push(id + ': "' + p.text + '" over "' + q.text + '"');
        }
      }
    }
  }
  return found;
}"""


def _wait_for_plots(page):
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('.chart, .thumb')).every("
        "el => !el.id || el.querySelector('.main-svg') || el.classList.contains('na'))",
        timeout=30_000,
    )
    page.wait_for_timeout(300)  # Plotly's resize is debounced


def test_charts_shrink_with_the_window_and_keep_their_labels_apart(browser, live_server):
    ctx = load(log=lambda *_: None, today=timezone.localdate())
    assert ctx is not None
    cs = ctx.customers["cs"]
    director = ctx.users["director"]
    client = Client()
    client.force_login(director)
    context = browser.new_context(locale="es-CL", viewport=LAPTOP)
    context.set_default_timeout(30_000)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "es", "url": live_server.url},
        ]
    )
    page = context.new_page()
    pages = {
        "dashboard": "/programme/",
        "matrix": "/selection/",
        "relationships": "/relationships/",
        "relationship": f"/relationships/customer/{cs.pk}/",
        "interactions": f"/interactions/customer/{cs.pk}/",
        "economics": f"/economics/customer/{cs.pk}/",
        "KAM profile": f"/team/kams/{ctx.users['ana'].pk}/",
    }
    problems: list[str] = []
    drawn = 0
    for name, path in pages.items():
        # Drawn on a laptop, then the window narrowed to a phone's width.
        page.set_viewport_size(LAPTOP)
        page.goto(live_server.url + path)
        _wait_for_plots(page)
        wide = {p["id"]: p["svg"] for p in page.evaluate(PLOT_WIDTHS)}
        page.set_viewport_size(PHONE)
        page.wait_for_timeout(600)
        for plot in page.evaluate(PLOT_WIDTHS):
            drawn += 1
            if plot["svg"] > PHONE["width"] or plot["svg"] > plot["box"] + 1:
                problems.append(
                    f"{name} #{plot['id']}: {plot['svg']:.0f} px wide in a {plot['box']:.0f} px "
                    f"box after narrowing the window (was {wide.get(plot['id'], 0):.0f})"
                )
        # Opened on the phone: no tick labels, no names written over each other.
        page.goto(live_server.url + path)
        _wait_for_plots(page)
        problems += [f"{name} at 390 px: {o}" for o in page.evaluate(OVERLAPS)]
    context.close()
    assert drawn >= 8, drawn
    assert not problems, "\n".join(problems)
