// The usage page: the reports of GET /v1/usage and GET /v1/usage/denials for a range (use per
// product, customer, license, partner, user or host; partner billing; denials), a chart of use
// drawn with uPlot, and the same report as the API's CSV.
import { api, errorText } from './api.js';
import { drawChart, seriesOf } from './chart.js';
import { el, formatTime, table, utcDate } from './dom.js';
import { loadNames } from './names.js';

const kReports = {
  use: 'Use',
  billing: 'Partner billing (per customer and month)',
  denials: 'Denials',
};
const kGroups = ['product', 'customer', 'license', 'partner', 'user', 'host'];
const kPeriods = ['hour', 'day', 'month', 'all'];
const kDenialGroups = ['product,code', 'customer,product,code', 'user,code', 'host,code', 'license,code'];
const kMeasures = {
  peak_units: 'Peak units',
  average_units: 'Average units',
  unit_hours: 'Unit-hours',
  checkouts: 'Checkouts',
};

function select(id, label, options, value) {
  const node = el('select', { id, 'aria-label': label },
    Object.entries(options).map(([v, text]) => el('option', { value: v }, text)));
  node.value = value;
  return node;
}

function labelled(text, control) {
  return el('label', { class: 'field' }, el('span', {}, text), control);
}

const asOptions = (values) => Object.fromEntries(values.map((v) => [v, v]));

// The cell text of one field of a report row: names for ids, ISO times for times.
function cellOf(field, row, names) {
  const value = row[field];
  if (field === 'customer') return names.customer(value);
  if (field === 'partner') return names.partner(value);
  if (['from', 'to', 'first', 'last'].includes(field)) return formatTime(value);
  if ((field === 'user' || field === 'host') && value === '') return '(none)';
  return value === null || value === undefined ? '' : String(value);
}

// The chart's name for a row's group value.
function keyOf(group, row, names) {
  if (group === 'license') return `license ${row.license} (${row.product})`;
  if (group === 'product') return names.product(row.product);
  return cellOf(group, row, names);
}

export function usagePage(view, me) {
  const report = select('usage-report', 'Report', kReports, 'use');
  const group = select('usage-group', 'Group by', asOptions(kGroups), 'product');
  const period = select('usage-period', 'Period', asOptions(kPeriods), 'day');
  const denialGroup = select('usage-denial-group', 'Count by', asOptions(kDenialGroups), 'product,code');
  const measure = select('usage-measure', 'Chart', kMeasures, 'peak_units');
  const from = el('input', { id: 'usage-from', type: 'date', 'aria-label': 'From' });
  const to = el('input', { id: 'usage-to', type: 'date', 'aria-label': 'To (exclusive)' });
  from.value = utcDate(-6);
  to.value = utcDate(1);
  const partner = el('select', { id: 'usage-partner', 'aria-label': 'Partner' }, el('option', { value: '' }, 'every partner'));
  const csv = el('a', { id: 'usage-csv', class: 'button', href: '#', download: 'usage.csv' }, 'Download CSV');
  const chart = el('div', { id: 'usage-chart', class: 'chart' });
  const chartNote = el('div', { class: 'status', id: 'usage-chart-note' });
  const result = el('div', { id: 'usage-table' });
  const status = el('div', { class: 'error', id: 'usage-error', role: 'alert' });
  const groupField = labelled('Group by', group);
  const periodField = labelled('Period', period);
  const denialField = labelled('Count by', denialGroup);
  const partnerField = labelled('Partner', partner);
  const measureField = labelled('Chart', measure);
  const form = el('form', { class: 'filters', id: 'usage-form' },
    labelled('Report', report), labelled('From (UTC)', from), labelled('To (UTC, exclusive)', to),
    groupField, periodField, denialField, partnerField, measureField,
    el('button', { type: 'submit', id: 'usage-run' }, 'Show'), csv);
  view.replaceChildren(el('h1', {}, 'Usage'), form, status, chart, chartNote, result);

  let names = null;
  let plot = null;
  let stopped = false;
  let rows = [];
  let range = null;  // the report's [from, to]

  const adapt = () => {
    const kind = report.value;
    groupField.hidden = kind !== 'use';
    periodField.hidden = kind !== 'use';
    denialField.hidden = kind !== 'denials';
    partnerField.hidden = kind !== 'billing';
    measureField.hidden = kind === 'denials';
    if (kind === 'billing' && measure.value === 'peak_units') measure.value = 'average_units';
  };

  const query = () => {
    const params = new URLSearchParams();
    params.set('from', from.value);
    if (to.value) params.set('to', to.value);
    if (report.value === 'denials') {
      params.set('group', denialGroup.value);
      return { path: '/v1/usage/denials', params };
    }
    if (report.value === 'billing') {
      params.set('group', 'customer');
      params.set('period', 'month');
      if (partner.value) params.set('partner', partner.value);
    } else {
      params.set('group', group.value);
      params.set('period', period.value);
    }
    return { path: '/v1/usage', params };
  };

  const drawn = () => {
    if (plot) plot.destroy();
    plot = null;
    chart.replaceChildren();
    chartNote.textContent = '';
    const q = query();
    if (report.value === 'denials') {
      chartNote.textContent = 'Denials are counted over the range: see the table.';
      return;
    }
    if (q.params.get('period') === 'all') {
      chartNote.textContent = 'Choose a period (hour, day, month) to chart use over time.';
      return;
    }
    if (rows.length === 0) {
      chartNote.textContent = 'Nothing was used in this range.';
      return;
    }
    const g = q.params.get('group');
    const data = seriesOf(rows, (r) => keyOf(g, r, names), (r) => r[measure.value]);
    plot = drawChart(chart, data, kMeasures[measure.value], range, Math.max(320, Math.min(1100, view.clientWidth - 20)));
    if (data.series.length > 8) chartNote.textContent = `The chart shows the first 8 of ${data.series.length} ${g}s; the table has all.`;
  };

  const run = async () => {
    status.textContent = '';
    const q = query();
    const csvParams = new URLSearchParams(q.params);
    csvParams.set('format', 'csv');
    csv.href = `${q.path}?${csvParams}`;
    csv.setAttribute('download', `${report.value}-${from.value}-${to.value || 'now'}.csv`);
    try {
      if (names === null) {
        names = await loadNames();
        for (const [id, name] of names.partners) partner.append(el('option', { value: String(id) }, name));
      }
      const answer = await api('GET', `${q.path}?${q.params}`);
      if (stopped) return;
      rows = answer.items;
      range = [answer.from, answer.to];
      const fields = rows.length ? Object.keys(rows[0]) : [];
      result.replaceChildren(table('usage-rows',
        fields.map((f) => [f.replace(/_/g, ' '), (row) => cellOf(f, row, names), typeof rows[0][f] === 'number' && !['license', 'customer', 'partner', 'from', 'to', 'first', 'last'].includes(f)]),
        rows, 'No rows for this range.'));
      drawn();
    } catch (e) {
      rows = [];
      if (plot) plot.destroy();
      plot = null;
      chart.replaceChildren();
      result.replaceChildren();
      status.textContent = errorText(e);
    }
  };

  report.addEventListener('change', () => {
    adapt();
    run();
  });
  for (const control of [group, period, denialGroup, partner, from, to]) control.addEventListener('change', run);
  measure.addEventListener('change', drawn);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run();
  });
  // A customer's user reports its own customer's use: the partner choice is not for it.
  if (!me.account) report.querySelector('option[value="billing"]').remove();
  adapt();
  run();
  return () => {
    stopped = true;
    if (plot) plot.destroy();
  };
}
