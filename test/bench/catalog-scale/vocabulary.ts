/**
 * The words generated goods names are made of. A name reads
 * "<adjective> <material> <Chinese word> <noun>", e.g. "Sleek Walnut 保温杯 Kettle",
 * so both benchmarked keywords sit in the middle of names, where only a
 * substring search (ILIKE '%…%') finds them and no prefix index helps. Each
 * list is picked uniformly, so a word's share of the catalog is 1 / its list's
 * length: the material keyword matches ~1/32 of the goods, the Chinese one
 * ~1/40, both side by side ~1/1280 (the bench reports each query's `total`).
 */

/** A list written as one line of text, so the formatter keeps it one line. */
function words(text: string, separator = " "): string[] {
  return text.split(separator);
}

export const ADJECTIVES = words(
  "Ergonomic Rustic Sleek Practical Handcrafted Organic Premium Classic Compact Deluxe Elegant Durable Modern Portable Refined Smart Gorgeous Vintage Luxurious Generic Intelligent Fantastic Incredible Licensed",
);

export const MATERIALS = words(
  "Bamboo Steel Cotton Granite Wooden Ceramic Leather Silk Copper Marble Rubber Plastic Frozen Fresh Concrete Bronze Linen Wool Glass Titanium Velvet Walnut Oak Cashmere Porcelain Carbon Aluminum Denim Nylon Suede Crystal Jade",
);

// Three or more characters each: pg_trgm takes no trigram from a shorter
// unanchored word, so a two-character keyword cannot use a trigram index (see
// the README, "Catalog at scale").
export const CHINESE_WORDS = words(
  "保温杯 不锈钢锅 纯棉毛巾 蓝牙耳机 手工香皂 有机绿茶 进口牛奶 抹茶粉 苹果汁 羊毛衫 真丝围巾 竹纤维 陶瓷碗 玻璃水杯 电饭煲 加湿器 榨汁机 运动鞋 双肩包 保鲜盒 洗发水 沐浴露 儿童牙膏 记忆枕 蚕丝被 护眼台灯 转换插座 充电宝 数据线 咖啡豆 黑巧克力 每日坚果 苏打饼干 东北大米 橄榄油 槐花蜂蜜 老酸奶 婴儿奶粉 补水面膜 不粘锅",
);

export const NOUNS = words(
  "Chair Kettle Cheese Towel Shoes Gloves Table Lamp Bottle Blanket Backpack Mug Pillow Bowl Sauce Tea Coffee Soap Shampoo Cookies Rice Honey Bag Knife Scarf Jacket Socks Speaker Charger Cable",
);

/** Brief phrases: words of their own, so a brief never matches a benchmarked keyword by accident. */
export const BRIEF_USES = words(
  "for everyday use|for the whole family|for travel|for the office|for gifts|for the kitchen|for outdoor days|for busy mornings",
  "|",
);
export const BRIEF_TAGS = words("送礼佳品 居家必备 新品上市 限时特惠 全国包邮 品质保证 人气爆款 官方正品");

/**
 * The benchmarked keywords: a Latin and a Chinese word from the middle of
 * names (~3% of goods each: the page is found quickly by any plan, the count
 * is the cost), and the two as one phrase, which only names with both words
 * side by side contain (~1/1280 of goods: without an index, the page itself
 * has to read tens of thousands of rows to find 20).
 */
export const KEYWORDS = { latin: "Walnut", chinese: "保温杯", phrase: "Walnut 保温杯" } as const;
