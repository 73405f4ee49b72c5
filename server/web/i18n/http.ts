// Refusals of the console's HTTP layer (the upload form, dates in forms): their strings in every language,
// merged in index.ts.
import type { Catalogue } from './locales.ts';

const en: Catalogue = {
  'upload.tooLarge':
    'The upload is larger than {mb} MB, the most this console accepts, so nothing was stored. Check that you chose the right file.',
  'upload.signatureTooLarge':
    'The signature file is too large to be a signature, so nothing was stored. Choose the .minisig file that came with the bundle.',
  'upload.notMultipart':
    'The upload was not sent as a file upload form. Use the upload form on the overview page.',
  'upload.tooManyParts':
    'The upload form holds more than a bundle and a signature. Send only those two files.',
  'upload.unexpectedFile':
    'The upload form holds a file this console does not expect. Send only the bundle and its signature.',
  'upload.duplicateFile': 'The upload form holds two files for “{field}”. Send one.',
  'upload.malformed':
    'The upload is not a valid file upload form, so nothing was stored. Send it again from the overview page.',
  'upload.cutOff': 'The upload was cut off before it was complete, so nothing was stored. Send it again.',
  'form.noSuchDate': '{value} is not a date on the calendar. Check the day of the month.',
};

const zhCN: Catalogue = {
  'upload.tooLarge': '上传的文件超过 {mb} MB（本控制台接受的上限），未保存任何内容。请检查是否选对了文件。',
  'upload.signatureTooLarge': '签名文件太大，不可能是签名，未保存任何内容。请选择随包提供的 .minisig 文件。',
  'upload.notMultipart': '上传内容不是以文件上传表单发送的。请使用概览页上的上传表单。',
  'upload.tooManyParts': '上传表单中除了包和签名之外还有其他内容。请只发送这两个文件。',
  'upload.unexpectedFile': '上传表单中有本控制台不接受的文件。请只发送包及其签名。',
  'upload.duplicateFile': '上传表单中“{field}”有两个文件。请只发送一个。',
  'upload.malformed': '上传内容不是有效的文件上传表单，未保存任何内容。请在概览页重新上传。',
  'upload.cutOff': '上传在完成前中断，未保存任何内容。请重新上传。',
  'form.noSuchDate': '日历上没有 {value} 这一天。请检查日期。',
};

const ru: Catalogue = {
  'upload.tooLarge':
    'Файл больше {mb} МБ — это предел для этой консоли, поэтому ничего не сохранено. Проверьте, тот ли файл выбран.',
  'upload.signatureTooLarge':
    'Файл подписи слишком велик для подписи, поэтому ничего не сохранено. Выберите файл .minisig, приложенный к пакету.',
  'upload.notMultipart':
    'Данные отправлены не как форма загрузки файла. Воспользуйтесь формой загрузки на странице обзора.',
  'upload.tooManyParts':
    'В форме загрузки есть что-то кроме пакета и подписи. Отправьте только эти два файла.',
  'upload.unexpectedFile':
    'В форме загрузки есть файл, которого консоль не ждёт. Отправьте только пакет и его подпись.',
  'upload.duplicateFile': 'В форме загрузки два файла для поля «{field}». Отправьте один.',
  'upload.malformed':
    'Загруженные данные — не правильная форма загрузки файла, поэтому ничего не сохранено. Отправьте её снова со страницы обзора.',
  'upload.cutOff': 'Загрузка оборвалась, не завершившись, поэтому ничего не сохранено. Отправьте снова.',
  'form.noSuchDate': 'Даты {value} нет в календаре. Проверьте число месяца.',
};

export const HTTP_STRINGS = { en, 'zh-CN': zhCN, ru } as const;
