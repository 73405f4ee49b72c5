// What went wrong, in the technician's words, for messages that carry an error's own (English) words apart under
// "Details for support": refusals by kind, uploads, settings, the support tunnel's link, and the audit lines that
// quote an error — in every language, merged in index.ts.
import type { Catalogue } from './locales.ts';

const en: Catalogue = {
  // A refusal no route put in words, by its kind (server/problem.ts).
  'problem.invalid': 'The console could not use what was sent. Check the form and try again.',
  'problem.forbidden': 'This is not allowed on this node.',
  'problem.not-found': 'What this asks for is not on the node any more. Reload the page.',
  'problem.conflict': 'This clashes with what is on the node now. Reload the page and try again.',
  'problem.refused': 'The node refused this. The reason is under “Details for support”.',
  'problem.unavailable': 'The node cannot do this right now. Try again in a few minutes.',
  'problem.upstream':
    'A part the node depends on (the cluster or the upstream) did not answer. Try again in a minute.',
  'problem.internal': 'Something went wrong inside Outpost. The details are in its log.',
  'upload.refused':
    'The bundle {file} was not accepted: it did not pass the node’s checks (signature, version or contents). Nothing was changed. Ask the fleet operator for a bundle signed for this fleet.',
  'upload.disabled':
    'Uploading bundles is not enabled on this node: it takes its desired state from its configured source.',
  'runs.objectError': 'Outpost could not do this to the object.',
  'settings.problem.not-cron':
    '“{value}” is not a schedule Outpost understands: write it in cron form, five fields (minute hour day month weekday), for example 0 3 * * *.',
  'settings.problem.schedule-unusable':
    'the schedule “{value}” cannot be used: it never runs, or runs more than once a minute. Choose one that runs at most once a minute.',
  'settings.problem.not-window':
    '“{value}” is not a maintenance window Outpost understands: write each window in cron form, five fields, one per line.',
  'settings.problem.not-kind': '“{value}” is not a kind of source: choose one from the list.',
  'settings.problem.bad-url':
    'the address does not fit a {kind} source: check the address the fleet operator gave you.',
  'settings.problem.bad-path':
    'the path inside the source is not valid: give a folder inside it, such as . or sites/berlin.',
  'settings.problem.not-here':
    'the source cannot be changed on this console: it is set in the node’s configuration.',
  'settings.problem.edit-off':
    'changing the source on the console is turned off on this node: change it in the configuration file on the node, or ask the fleet operator.',
  'settings.problem.unsigned':
    'a {kind} source carries no signature, and on this node the console may choose signed sources only: choose one of {kinds}, or set the {kind} source in the configuration file.',
  'settings.noSuchSetting': 'there is no such setting to reset.',
  // The support tunnel's link (server/tunnel/model.ts TUNNEL_PROBLEMS).
  'tunnel.problem.connection-refused':
    'Nothing answers at the support server’s address (connection refused). Check that the support server is running and that the node’s network lets the connection through.',
  'tunnel.problem.no-such-host':
    'The support server’s name cannot be found. Check the node’s DNS and the tunnel host in the configuration.',
  'tunnel.problem.timeout':
    'The support server did not answer in time. Check the node’s internet connection, then try again.',
  'tunnel.problem.link-failed': 'The link to the support server failed. Outpost tries again by itself.',
  'tunnel.problem.closed': 'The support server closed the connection. Outpost tries again by itself.',
  'tunnel.problem.forward-refused':
    'The support server would not open the port for remote support. Ask support to check the tunnel port on their server.',
  'tunnel.problem.key-unreadable':
    'The node’s tunnel key file cannot be read or is not a key. Ask the fleet operator to install the tunnel key.',
  'tunnel.problem.key-refused':
    'The support server did not accept this node’s tunnel key. Ask support to add the node’s key on their server.',
  'tunnel.problem.host-key-changed':
    'The support server could not prove it is the expected server (its key differs from the one set on this node), so Outpost did not connect. If support changed their server’s key, the new key must be set in the node’s configuration.',
  // Audit lines that quote an error (server/audit-detail.ts): the error itself goes under "Details for support".
  'audit.d.tunnel-port': 'Port {port} on the support server leads to the console',
  'audit.d.tunnel-problem': '{code}',
  'audit.d.restart-failed': 'The cluster did not accept the restart',
  'audit.d.upload-refused': 'The bundle did not pass the node’s checks',
  'audit.d.source-refused': 'The {kind} source {url} may not be chosen on the console',
  'audit.d.setting-reset': '{before} → configuration ({after})',
  // What a run that did not fail did (server/sync/run-message.ts).
  'run.m.applied-drift.one': 'Revision {rev} applied and healthy; drift corrected on {n} object.',
  'run.m.applied-drift.other': 'Revision {rev} applied and healthy; drift corrected on {n} objects.',
  'run.m.applied': 'Revision {rev} applied and healthy.',
  'run.m.reasserted': 'Revision {rev} applied again from the local store.',
  'run.m.reasserted-empty': 'The empty state applied again from the local store.',
  'run.m.held':
    'Revision {rev} is held because it failed before; the running revision was kept. Retry it from the overview once the cause is fixed.',
  'run.m.staff-hold': 'Updates are paused until {at} ({reason}, by {by}); the running revision was kept.',
  'run.m.window':
    'Outside the maintenance window ({windows}): the new revision waits, the running one was kept.',
  'run.m.drift-reported.one': 'Drift on {n} object reported, not corrected.',
  'run.m.drift-reported.other': 'Drift on {n} objects reported, not corrected.',
  'run.m.no-drift': 'No drift.',
};

const zhCN: Catalogue = {
  'problem.invalid': '控制台无法使用提交的内容。请检查表单后重试。',
  'problem.forbidden': '在此节点上不允许这样做。',
  'problem.not-found': '所请求的内容已不在节点上。请刷新页面。',
  'problem.conflict': '这与节点当前的状态冲突。请刷新页面后重试。',
  'problem.refused': '节点拒绝了此操作。原因见“技术支持详情”。',
  'problem.unavailable': '节点现在无法执行此操作。请几分钟后重试。',
  'problem.upstream': '节点依赖的部分（集群或上游）没有应答。请一分钟后重试。',
  'problem.internal': 'Outpost 内部出错。详细信息请查看其日志。',
  'upload.refused':
    '包 {file} 未被接受：它没有通过节点的检查（签名、版本或内容）。没有做任何更改。请向集群运维人员索取为本集群签名的包。',
  'upload.disabled': '此节点未启用包上传：节点从其配置的源获取期望状态。',
  'runs.objectError': 'Outpost 未能对此对象完成此操作。',
  'settings.problem.not-cron':
    '“{value}” 不是 Outpost 能理解的计划：请用 cron 格式的五个字段（分 时 日 月 星期）书写，例如 0 3 * * *。',
  'settings.problem.schedule-unusable':
    '计划 “{value}” 无法使用：它从不触发，或每分钟触发多于一次。请选择每分钟最多触发一次的计划。',
  'settings.problem.not-window':
    '“{value}” 不是 Outpost 能理解的维护窗口：请用 cron 格式的五个字段书写每个窗口，每行一个。',
  'settings.problem.not-kind': '“{value}” 不是一种源类型：请从列表中选择。',
  'settings.problem.bad-url': '该地址不适用于 {kind} 源：请核对集群运维人员提供的地址。',
  'settings.problem.bad-path': '源内路径无效：请填写源内的文件夹，例如 . 或 sites/berlin。',
  'settings.problem.not-here': '无法在此控制台更改源：它在节点的配置中设置。',
  'settings.problem.edit-off':
    '此节点已关闭在控制台更改源的功能：请在节点上的配置文件中更改，或联系集群运维人员。',
  'settings.problem.unsigned':
    '{kind} 源不带签名，而此节点的控制台只能选择已签名的源：请选择 {kinds} 之一，或在配置文件中设置 {kind} 源。',
  'settings.noSuchSetting': '没有可以重置的此项设置。',
  'tunnel.problem.connection-refused':
    '支持服务器的地址没有应答（连接被拒绝）。请检查支持服务器是否在运行，以及节点的网络是否允许连接。',
  'tunnel.problem.no-such-host': '找不到支持服务器的名称。请检查节点的 DNS 以及配置中的隧道主机。',
  'tunnel.problem.timeout': '支持服务器没有及时应答。请检查节点的互联网连接，然后重试。',
  'tunnel.problem.link-failed': '与支持服务器的连接失败。Outpost 会自动重试。',
  'tunnel.problem.closed': '支持服务器关闭了连接。Outpost 会自动重试。',
  'tunnel.problem.forward-refused': '支持服务器没有打开远程支持端口。请让支持人员检查其服务器上的隧道端口。',
  'tunnel.problem.key-unreadable':
    '无法读取节点上的隧道密钥文件，或该文件不是密钥。请让集群运维人员安装隧道密钥。',
  'tunnel.problem.key-refused':
    '支持服务器不接受本节点的隧道密钥。请让支持人员在其服务器上添加本节点的密钥。',
  'tunnel.problem.host-key-changed':
    '支持服务器无法证明它就是预期的服务器（其密钥与本节点上设置的不同），因此 Outpost 没有连接。如果支持人员更换了服务器密钥，需要在节点配置中设置新密钥。',
  'audit.d.tunnel-port': '支持服务器上的端口 {port} 通向控制台',
  'audit.d.tunnel-problem': '{code}',
  'audit.d.restart-failed': '集群没有接受重启',
  'audit.d.upload-refused': '该包没有通过节点的检查',
  'audit.d.source-refused': '不能在控制台选择 {kind} 源 {url}',
  'audit.d.setting-reset': '{before} → 配置文件（{after}）',
  'run.m.applied-drift.other': '修订版 {rev} 已应用且健康；已纠正 {n} 个对象的偏差。',
  'run.m.applied': '修订版 {rev} 已应用且健康。',
  'run.m.reasserted': '已从本地存储重新应用修订版 {rev}。',
  'run.m.reasserted-empty': '已从本地存储重新应用空状态。',
  'run.m.held': '修订版 {rev} 之前失败过，已被暂缓；保留了正在运行的修订版。原因解决后，请在概览页重试。',
  'run.m.staff-hold': '更新已暂停至 {at}（{reason}，由 {by} 设置）；保留了正在运行的修订版。',
  'run.m.window': '不在维护窗口内（{windows}）：新修订版等待中，保留了正在运行的修订版。',
  'run.m.drift-reported.other': '发现 {n} 个对象存在偏差，未纠正。',
  'run.m.no-drift': '没有偏差。',
};

const ru: Catalogue = {
  'problem.invalid': 'Консоль не смогла принять отправленные данные. Проверьте форму и повторите.',
  'problem.forbidden': 'На этом узле это не разрешено.',
  'problem.not-found': 'Запрошенного больше нет на узле. Обновите страницу.',
  'problem.conflict': 'Это расходится с тем, что сейчас на узле. Обновите страницу и повторите.',
  'problem.refused': 'Узел отказался это выполнить. Причина — в «Подробностях для поддержки».',
  'problem.unavailable': 'Сейчас узел не может это выполнить. Повторите через несколько минут.',
  'problem.upstream':
    'Не ответила часть, от которой зависит узел (кластер или источник). Повторите через минуту.',
  'problem.internal': 'Внутри Outpost что-то пошло не так. Подробности — в его журнале.',
  'upload.refused':
    'Пакет {file} не принят: он не прошёл проверки узла (подпись, версия или содержимое). Ничего не изменено. Попросите у оператора парка пакет, подписанный для этого парка.',
  'upload.disabled':
    'Загрузка пакетов на этом узле не включена: узел берёт желаемое состояние из настроенного источника.',
  'runs.objectError': 'Outpost не смог выполнить это с объектом.',
  'settings.problem.not-cron':
    '«{value}» — не расписание, понятное Outpost: запишите его в формате cron из пяти полей (минута час день месяц день_недели), например 0 3 * * *.',
  'settings.problem.schedule-unusable':
    'расписание «{value}» не подходит: оно никогда не срабатывает или срабатывает чаще раза в минуту. Выберите расписание, которое срабатывает не чаще раза в минуту.',
  'settings.problem.not-window':
    '«{value}» — не окно обслуживания, понятное Outpost: запишите каждое окно в формате cron из пяти полей, по одному в строке.',
  'settings.problem.not-kind': '«{value}» — не вид источника: выберите вид из списка.',
  'settings.problem.bad-url':
    'адрес не подходит для источника {kind}: проверьте адрес, который дал оператор парка.',
  'settings.problem.bad-path':
    'путь внутри источника недопустим: укажите папку внутри него, например . или sites/berlin.',
  'settings.problem.not-here': 'источник нельзя изменить в этой консоли: он задаётся в конфигурации узла.',
  'settings.problem.edit-off':
    'смена источника в консоли на этом узле отключена: измените его в файле конфигурации на узле или обратитесь к оператору парка.',
  'settings.problem.unsigned':
    'источник {kind} не несёт подписи, а на этом узле консоль может выбирать только подписанные источники: выберите один из видов {kinds} или задайте источник {kind} в файле конфигурации.',
  'settings.noSuchSetting': 'такой настройки для сброса нет.',
  'tunnel.problem.connection-refused':
    'По адресу сервера поддержки никто не отвечает (соединение отклонено). Проверьте, что сервер поддержки работает и что сеть узла пропускает соединение.',
  'tunnel.problem.no-such-host':
    'Имя сервера поддержки не удаётся найти. Проверьте DNS узла и адрес туннеля в конфигурации.',
  'tunnel.problem.timeout':
    'Сервер поддержки не ответил вовремя. Проверьте подключение узла к интернету и повторите попытку.',
  'tunnel.problem.link-failed': 'Связь с сервером поддержки оборвалась. Outpost сам попробует снова.',
  'tunnel.problem.closed': 'Сервер поддержки закрыл соединение. Outpost сам попробует снова.',
  'tunnel.problem.forward-refused':
    'Сервер поддержки не открыл порт для удалённой поддержки. Попросите поддержку проверить порт туннеля на их сервере.',
  'tunnel.problem.key-unreadable':
    'Файл ключа туннеля на узле не читается или не является ключом. Попросите оператора парка установить ключ туннеля.',
  'tunnel.problem.key-refused':
    'Сервер поддержки не принял ключ туннеля этого узла. Попросите поддержку добавить ключ узла на их сервер.',
  'tunnel.problem.host-key-changed':
    'Сервер поддержки не подтвердил, что он тот самый (его ключ отличается от заданного на узле), поэтому Outpost не подключился. Если поддержка сменила ключ своего сервера, новый ключ нужно указать в конфигурации узла.',
  'audit.d.tunnel-port': 'Порт {port} на сервере поддержки ведёт к консоли',
  'audit.d.tunnel-problem': '{code}',
  'audit.d.restart-failed': 'Кластер не принял перезапуск',
  'audit.d.upload-refused': 'Пакет не прошёл проверки узла',
  'audit.d.source-refused': 'Источник {kind} {url} нельзя выбрать в консоли',
  'audit.d.setting-reset': '{before} → из конфигурации ({after})',
  'run.m.applied-drift.one': 'Ревизия {rev} применена и исправна; исправлено отклонение у {n} объекта.',
  'run.m.applied-drift.few': 'Ревизия {rev} применена и исправна; исправлено отклонение у {n} объектов.',
  'run.m.applied-drift.many': 'Ревизия {rev} применена и исправна; исправлено отклонение у {n} объектов.',
  'run.m.applied-drift.other': 'Ревизия {rev} применена и исправна; исправлено отклонение у {n} объекта.',
  'run.m.applied': 'Ревизия {rev} применена и исправна.',
  'run.m.reasserted': 'Ревизия {rev} применена повторно из локального хранилища.',
  'run.m.reasserted-empty': 'Пустое состояние применено повторно из локального хранилища.',
  'run.m.held':
    'Ревизия {rev} задержана, потому что раньше не удалась; оставлена работающая ревизия. Повторите её с обзора, когда причина будет устранена.',
  'run.m.staff-hold': 'Обновления приостановлены до {at} ({reason}, {by}); оставлена работающая ревизия.',
  'run.m.window': 'Вне окна обслуживания ({windows}): новая ревизия ждёт, оставлена работающая.',
  'run.m.drift-reported.one': 'Отклонение у {n} объекта отмечено, но не исправлено.',
  'run.m.drift-reported.few': 'Отклонение у {n} объектов отмечено, но не исправлено.',
  'run.m.drift-reported.many': 'Отклонение у {n} объектов отмечено, но не исправлено.',
  'run.m.drift-reported.other': 'Отклонение у {n} объекта отмечено, но не исправлено.',
  'run.m.no-drift': 'Отклонений нет.',
};

export const PROBLEM_STRINGS: Readonly<Record<'en' | 'zh-CN' | 'ru', Catalogue>> = { en, 'zh-CN': zhCN, ru };
