// The store and its data volume: the "data volume full" state word, its explanations, and the store's size on
// the settings page — in every language, merged in index.ts.
import type { Catalogue } from './locales.ts';

const en: Catalogue = {
  'state.full': 'Data volume full',
  'why.storeFull':
    'the data volume is full: the last good version keeps running, history is not recorded until space is freed',
  'store.fullError':
    'The data volume is full, so Outpost cannot save this. Free space on the node’s data volume; the console keeps showing the node meanwhile.',
  'auth.storeFull':
    'Signing in is paused: the data volume is full, so a new session cannot be saved. Anyone already signed in stays signed in. Free space on the data volume, then try again.',
  'store.title': 'Store',
  'store.size': 'The store uses {size} of its {limit} limit.',
  'store.sizeOnly': 'The store uses {size}.',
  'store.history':
    'Sync runs, the audit log and host readings are kept {days} days, and the oldest go first when the store reaches its limit.',
  'store.fullSince':
    'The data volume has been full since {time}: nothing new is recorded until space is freed.',
  'runs.foldedTitle': 'Repeated',
  'runs.folded.one': '{n} scheduled run, no change since {since}',
  'runs.folded.other': '{n} scheduled runs, no change since {since}',
};

const zhCN: Catalogue = {
  'state.full': '数据卷已满',
  'why.storeFull': '数据卷已满：上一个正常版本继续运行，在释放空间之前不记录历史',
  'store.fullError':
    '数据卷已满，Outpost 无法保存此操作。请释放节点数据卷上的空间；在此期间控制台仍显示节点状态。',
  'auth.storeFull':
    '登录已暂停：数据卷已满，无法保存新的会话。已登录的用户保持登录。请释放数据卷上的空间后重试。',
  'store.title': '存储',
  'store.size': '存储已用 {size}，上限 {limit}。',
  'store.sizeOnly': '存储已用 {size}。',
  'store.history': '同步记录、审计日志和主机读数保留 {days} 天；存储达到上限时最早的记录先被删除。',
  'store.fullSince': '数据卷自 {time} 起已满：在释放空间之前不记录任何新内容。',
  'runs.foldedTitle': '重复',
  'runs.folded.other': '{n} 次计划同步，自 {since} 起无变化',
};

const ru: Catalogue = {
  'state.full': 'Диск данных заполнен',
  'why.storeFull':
    'диск данных заполнен: последняя исправная версия продолжает работать, история не записывается, пока не освободится место',
  'store.fullError':
    'Диск данных заполнен, Outpost не может это сохранить. Освободите место на диске данных узла; консоль тем временем продолжает показывать состояние узла.',
  'auth.storeFull':
    'Вход приостановлен: диск данных заполнен, новую сессию нельзя сохранить. Кто уже вошёл, остаётся в системе. Освободите место на диске данных и повторите попытку.',
  'store.title': 'Хранилище',
  'store.size': 'Хранилище занимает {size} из {limit}.',
  'store.sizeOnly': 'Хранилище занимает {size}.',
  'store.history':
    'Синхронизации, журнал аудита и показания узла хранятся {days} дн.; при достижении предела первыми удаляются самые старые.',
  'store.fullSince':
    'Диск данных заполнен с {time}: ничего нового не записывается, пока не освободится место.',
  'runs.foldedTitle': 'Повторы',
  'runs.folded.one': '{n} плановая синхронизация, без изменений с {since}',
  'runs.folded.few': '{n} плановые синхронизации, без изменений с {since}',
  'runs.folded.many': '{n} плановых синхронизаций, без изменений с {since}',
  'runs.folded.other': '{n} плановой синхронизации, без изменений с {since}',
};

export const STORE_STRINGS = { en, 'zh-CN': zhCN, ru } as const;
