// Annotations shared by the dashboards.

import { AnnotationQueryBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DATASOURCE } from './grafana.ts';

/** Marks each automatic restart on the time axis of every panel. */
export function restartAnnotation(matchers: string): AnnotationQueryBuilder {
  return new AnnotationQueryBuilder()
    .name('Automatic restarts')
    .datasource(DATASOURCE)
    .enable(true)
    .iconColor('orange')
    .expr(`sum by (connect_cluster, connector, task) (changes(kafka_connect_autorestart_restarts_total{${matchers}}[1m])) > 0`)
    .step('1m')
    .titleFormat('Automatic restart')
    .textFormat('{{connect_cluster}} {{connector}} {{task}}');
}
