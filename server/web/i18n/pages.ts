// The plan page and the remote-support banner: their strings in every language, merged in index.ts.
import type { Catalogue } from './index.ts';

const en: Catalogue = {
  'plan.intro':
    'What the next sync would change on this node, checked by the cluster without applying anything.',
  'plan.checking': 'Checking with the upstream and the cluster…',
  'plan.failed': 'The plan could not be made: {error}',
  'plan.summary': '{changed} of {total} objects would change.',
  'plan.change': 'Change',
  'plan.object': 'Object',
  'plan.fields': 'Fields',
  'tunnel.connected': 'Remote support connected',
  'tunnel.until': 'until',
  'tunnel.openedBy': 'opened by {name}',
  'tunnel.connecting': 'Remote support connecting…',
  'tunnel.allowedUntil': 'allowed until',
  'tunnel.to': 'to',
  'tunnel.reconnecting': 'Remote support reconnecting…',
  'tunnel.dropped': 'the link to the support server dropped; access still ends at',
  'tunnel.close': 'Close',
  'tunnel.failed': 'Remote support could not connect',
  'tunnel.failedClosed': 'and is closed:',
};

const zhCN: Catalogue = {
  'plan.intro': '下次同步将在本节点上更改的内容，由集群检查，不会应用任何更改。',
  'plan.checking': '正在与上游和集群核对…',
  'plan.failed': '无法生成计划：{error}',
  'plan.summary': '{total} 个对象中有 {changed} 个将被更改。',
  'plan.change': '更改',
  'plan.object': '对象',
  'plan.fields': '字段',
  'tunnel.connected': '远程支持已连接',
  'tunnel.until': '直到',
  'tunnel.openedBy': '由 {name} 开启',
  'tunnel.connecting': '远程支持正在连接…',
  'tunnel.allowedUntil': '允许直到',
  'tunnel.to': '目标',
  'tunnel.reconnecting': '远程支持正在重新连接…',
  'tunnel.dropped': '与支持服务器的连接已断开；访问仍将在以下时间结束：',
  'tunnel.close': '关闭',
  'tunnel.failed': '远程支持无法连接',
  'tunnel.failedClosed': '，已关闭：',
};

const ru: Catalogue = {
  'plan.intro': 'Что следующая синхронизация изменит на этом узле — проверено кластером, без применения.',
  'plan.checking': 'Проверка источника и кластера…',
  'plan.failed': 'Не удалось составить план: {error}',
  'plan.summary': 'Изменится объектов: {changed} из {total}.',
  'plan.change': 'Изменение',
  'plan.object': 'Объект',
  'plan.fields': 'Поля',
  'tunnel.connected': 'Удалённая поддержка подключена',
  'tunnel.until': 'до',
  'tunnel.openedBy': 'открыл(а) {name}',
  'tunnel.connecting': 'Удалённая поддержка подключается…',
  'tunnel.allowedUntil': 'разрешено до',
  'tunnel.to': 'к',
  'tunnel.reconnecting': 'Удалённая поддержка переподключается…',
  'tunnel.dropped': 'связь с сервером поддержки прервалась; доступ всё равно закончится в',
  'tunnel.close': 'Закрыть',
  'tunnel.failed': 'Удалённая поддержка не смогла подключиться',
  'tunnel.failedClosed': 'и закрыта:',
};

export const PAGE_STRINGS = { en, 'zh-CN': zhCN, ru };
