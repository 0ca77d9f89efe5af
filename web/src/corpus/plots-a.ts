// plots-a.ts: the first six story plots (lost thing, thing stuck in a tree, learning to share,
// scared at night, broken toy, messy baking). Each plot is a list of beats per paragraph; a beat
// picks one of its sentence templates (syntax in render.ts). {H} may be a pair unless `single`.

import type { PlotDef } from './templates-common.js';

export const LOST: PlotDef = {
  id: 'lost',
  places: [],
  thing: 'toy',
  title: [`the lost {O}`, `{H} and the lost {O}`, `where is the {O}?`, `the hiding {O}`],
  problem: [
    [`{H} played with {H.his} {O} all [morning|day|afternoon].`, `{H} and {H.his} {O} had lots of fun {P.in}.`, `{H} put {H.his} {O} down for just a minute.`],
    [`When {H.he} looked again, the {O} was gone!`, `But then, the {O} was gone!`, `Then {H.he} looked around. Where was the {O}?`, `But when it was time to go home, {H} could not find {H.his} {O}.`],
    [`{H} felt {bad}.`, `{H.His} eyes filled with tears.`, `{H} looked here and there, but the {O} was not there.`, `{H.He} looked and looked, but {H.he} could not find it.`],
  ],
  talk: [
    [`Just then, {F.first} came by.`, `Soon, {F.first} [walked|ran|hopped] over.`, `{F.first} saw {H} and came to help.`],
    [`"What is wrong?" asked {F}.`, `"Why are you sad?" asked {F}.`, `"Are you okay?" {F} asked.`, `{F} asked, "What happened?"`],
    [`"{H.We} lost {H.our} {O}!" [cried|said|sobbed] {H}.`, `"{H.Our} {O} is gone, and {H.we} can't find it," said {H}.`, `"{H.We} can't find {H.our} {O} anywhere!" said {H}.`],
    [`"Don't worry. I will help you look," said {F}.`, `"Let's look for it together," said {F} with a smile.`, `"I am good at finding things. I will help you," said {F}.`],
    { p: 0.5, t: [`"Thank you," said {H}.`, `{H} wiped {H.his} eyes and nodded.`] },
  ],
  fix: [
    [`They looked {spot}. It was not there.`, `First they looked {spot}, but they only found {a} {critter}.`, `They looked {spot} and {spot}, but the {O} was not there.`],
    [`Then {F} looked {S}.`, `At last, {F} looked {S}.`, `Then they looked {S}.`],
    [`"Here it is!" shouted {F}. There was the {O}!`, `There was the {O}! "I found it!" said {F}.`, `And there it was! The {O} was {S} the whole time.`],
    [`{H} [hugged|held] the {O} [tight|close].`, `{H} jumped up and down. {H.He} {H.was} so [happy|glad]!`, `{H} smiled a big smile.`],
  ],
  end: [
    { p: 0.7, t: [`"Thank you, {F}!" said {H}. "You are a good friend."`, `From then on, {H} kept {H.his} {O} in a safe place.`, `{H} learned to always put {H.his} things away.`] },
  ],
};

export const STUCK: PlotDef = {
  id: 'stuck',
  places: ['park', 'woods', 'garden', 'farm', 'meadow', 'hill', 'lake', 'playground', 'backyard'],
  thing: 'fly',
  title: [`the {O} in the tree`, `{H} and the {O}`, `up in the tree`, `the high branch`],
  problem: [
    [`The wind was strong that day.`, `{H} threw {H.his} {O} up high.`, `{H} {H.was} playing with {H.his} {O} when a big wind came.`],
    [`Whoosh! The {O} flew up and got stuck in a tall tree.`, `The {O} went up, up, up, and landed on a high branch.`, `Oh no! The {O} was stuck at the top of the tree.`],
    [`{H} jumped as high as {H.he} could, but {H.he} could not reach it.`, `{H} tried to climb the tree, but it was too tall.`, `{H} felt {bad}. The branch was so high!`],
  ],
  talk: [
    [`Just then, {F.first} came [by|along].`, `Then {F.first} walked past.`, `Soon, {F.first} saw {H} and stopped.`],
    [`"What are you looking at?" asked {F}.`, `"Why do you look so {bad}?" asked {F}.`, `{F} asked, "What is wrong?"`],
    [`"{H.Our} {O} is stuck in the tree!" said {H}.`, `{H} pointed up. "Look! {H.Our} {O} is up there, and {H.we} can't get it down."`, `"The wind took {H.our} {O}," said {H} sadly.`],
    [`{F} thought for a moment. "I have an idea," {F.he} said.`, `"I know what to do," said {F}.`, `"Don't be sad. We can get it together," said {F}.`],
  ],
  fix: [
    [`{F} found a long stick and gave it to {H}.`, `{F} let {H} stand on {F.his} strong back.`, `{F} ran to get a little ladder.`, `They shook the tree very gently together.`],
    [`{H} reached up, and the {O} fell down into {H.his} arms.`, `With one more try, the {O} came down. Plop!`, `Down came the {O}, right into the soft grass.`],
    [`"Hooray!" shouted {H} and {F}.`, `{H} [hugged|held] {H.his} {O} and smiled.`, `"Thank you so much!" said {H}.`],
  ],
  end: [
    { p: 0.7, t: [`{H} learned that friends can do more together.`, `After that, {H} played far away from the tall trees.`, `Then {H} and {F} played with the {O} together until the sun went down.`] },
  ],
};

export const SHARE: PlotDef = {
  id: 'share',
  places: [],
  title: [`{H} learn{H.s} to share`, `the last {D}`, `sharing is fun`, `one {D} for two`],
  problem: [
    [`[Mom|Dad|Grandma] gave {H} a big, [sweet|fresh|yummy] {D}.`, `{H} had one big, [sweet|fresh|yummy] {D}.`, `{H} found the last {D} in the basket.`],
    [`{H} wanted to eat it all by {H.self}.`, `It looked so yummy. {H} did not want to share it.`, `{H.He} held it close and said, "This is all {H.mine}!"`],
    { p: 0.7, t: [`{H.His} tummy [rumbled|made a funny sound].`, `{H} licked {H.his} lips.`] },
  ],
  talk: [
    [`Then {F.first} came over. {F.He} looked hungry.`, `Just then, {F.first} sat down next to {H}.`, `Soon, {F.first} came by. {F.He} had nothing to eat.`],
    [`"That {D} looks so good," said {F}.`, `"I am so hungry," said {F} in a small voice.`, `{F} looked at the {D} and asked, "Can I have a little bit?"`],
    [`"No! It is {H.mine}," said {H}.`, `{H} hid the {D} behind {H.his} back. "No," {H.he} said.`],
    [`{F} looked {bad} and walked away slowly.`, `{F.His} smile went away, and {F.he} looked at the ground.`],
  ],
  fix: [
    [`{H} did not feel good inside.`, `Suddenly, the {D} did not look so yummy to {H}.`, `{H} felt a funny feeling in {H.his} tummy. It was not hunger.`],
    [`{H} broke the {D} in two.`, `{H} ran after {F} and held out half of the {D}.`, `{H} cut the {D} into [two|three] pieces.`],
    [`"Here, this is for you," said {H}.`, `"Let's share it," said {H}. "{H.Im} sorry."`, `"{H.Im} sorry, {F}. Please have some," said {H}.`],
    [`{F} smiled a big smile. "Thank you!" {F.he} said.`, `They ate the {D} together, and it tasted even better.`],
  ],
  end: [
    { p: 0.8, t: [`{H} learned that sharing makes everyone happy.`, `Sharing made {H} feel warm inside.`, `From that day on, {H} always shared with {H.his} friends.`] },
  ],
};

export const SCARED: PlotDef = {
  id: 'scared',
  places: ['bedroom'],
  family: true,
  title: [`{H} and the dark night`, `the shadow on the wall`, `the scary noise`, `not afraid anymore`],
  problem: [
    [`That night, {H} went to bed.`, `When the sun went down, it was time for bed.`, `That night, the wind blew hard outside.`],
    [`{H} saw a big, dark shadow on the wall.`, `{H} heard a strange noise. Tap, tap, tap!`, `The room was very dark and very quiet.`],
    [`{H} pulled the blanket over {H.his} head.`, `{H.He} {H.was} very scared.`, `{H.His} [heart|little heart] went thump, thump, thump.`],
  ],
  talk: [
    [`"{G.call}!" called {H}.`, `{H} called for {G}.`],
    [`{G} came in and turned on the lamp.`, `Soon {G} came into the room with a little light.`],
    [`"What is wrong?" {G} asked softly.`, `"Why are you awake?" asked {G}.`],
    [`"There is a monster on the wall!" said {H}.`, `"{H.We} heard a scary noise," {H} whispered.`, `"{H.Im} scared of the dark," said {H}.`],
  ],
  fix: [
    [`{G} looked at the wall and laughed a soft laugh.`, `{G} went to the window and looked out.`, `{G} sat down on the bed.`],
    [`"Look, it is just your coat on the chair," said {G}.`, `"It is only a branch tapping on the window," said {G}.`, `"The dark is just the day taking a rest," said {G}.`],
    [`{H} looked again. It was not a monster at all!`, `{H} [laughed|giggled]. It was not scary anymore.`, `{H} felt {H.his} heart slow down.`],
    { p: 0.6, t: [`{G} gave {H} a big hug and a kiss good night.`, `{G} left the little lamp on.`, `{G} sang a soft song until {H.his} eyes closed.`] },
  ],
  end: [
    { p: 0.8, t: [`{H} {H.was} not afraid of the dark anymore.`, `Soon {H} {H.was} fast asleep.`, `{H} learned that many scary things are not scary at all.`] },
  ],
};

export const BROKEN: PlotDef = {
  id: 'broken',
  places: [],
  thing: 'break',
  title: [`the broken {O}`, `fixing the {O}`, `{H} and the broken {O}`, `as good as new`],
  problem: [
    [`{H} {H.was} playing with {H.his} {O} {P.in}.`, `{H} ran fast with {H.his} {O}.`, `{H} took {H.his} {O} to show everyone.`],
    [`Then {H.he} tripped, and the {O} fell down. Crack!`, `{H} dropped the {O} by accident. Crack!`, `Oops! The {O} hit the ground and broke.`],
    [`Now the {O} was broken.`, `A piece of the {O} came off.`, `The {O} did not look the same anymore.`],
    [`{H} began to cry.`, `{H} felt {bad}. It was {H.his} favorite.`],
  ],
  talk: [
    [`{G} heard {H} and came [to see|over].`, `Soon, {G} came to see what was wrong.`],
    [`"Oh dear, what happened?" asked {G}.`, `"Why are you crying?" asked {G}.`],
    [`"{H.Our} {O} is broken!" cried {H}.`, `"{H.We} broke {H.our} {O}. Now it is ruined," said {H}.`],
    [`"Let me see," said {G}. "Maybe we can fix it."`, `"Don't cry," said {G}. "Broken things can often be fixed."`],
  ],
  fix: [
    [`{G} got some glue and tape.`, `{G} found a little box of tools.`],
    [`Together they worked slowly and carefully.`, `{H} held the pieces while {G} fixed them.`],
    [`Soon the {O} was as good as new!`, `At last, the {O} was fixed. It had a little mark, but it was fine!`],
    [`"Thank you, {G.call}!" said {H}.`, `{H} gave {G} a big hug.`],
  ],
  end: [
    { p: 0.8, t: [`{H} learned to be more careful with {H.his} things.`, `{H} learned that broken things can be fixed with a little help.`, `After that, {H} kept the {O} in a safe place.`] },
  ],
};

export const BAKE: PlotDef = {
  id: 'bake',
  places: ['kitchen'],
  title: [`the big mess`, `baking with {G.call}`, `the {cake} cake`, `a cake for everyone`],
  problem: [
    [`{H} and {G} wanted to bake {a} {cake} cake.`, `Today {H} {H.was} going to help {G} bake {a} {cake} cake.`],
    [`They got flour, eggs, and milk.`, `{G} put a big bowl on the table.`],
    [`{H} wanted to help, so {H.he} poured the flour. Poof!`, `{H} stirred too fast, and the batter flew everywhere!`, `{H} dropped an egg on the floor. Splat!`],
    [`There was flour all over the table and the floor.`, `Now the kitchen was a big mess.`],
  ],
  talk: [
    [`{H} looked at the mess and felt {bad}.`, `{H} looked up at {G}.`],
    [`"{H.Im} sorry. {H.We} made a mess," said {H}.`, `"Oh no! Look what {H.we} did," said {H} in a small voice.`],
    [`{G} laughed. "That is okay. Cooking is always a little messy."`, `"Don't worry," said {G}. "We can clean it up together."`],
    { p: 0.5, t: [`"Really?" asked {H}.`, `{H} began to smile.`] },
  ],
  fix: [
    [`They cleaned the floor and washed the bowl.`, `{H} got a cloth and wiped the table.`],
    [`Then they tried again, slowly this time.`, `This time, {H} stirred very gently.`],
    [`Soon the cake was in the oven. It smelled so good!`, `After a while, the cake came out warm and golden.`],
    [`They each ate a big piece, and it was yummy.`, `{H} and {G} shared the cake with everyone.`],
  ],
  end: [
    { p: 0.8, t: [`{H} learned that it is okay to make mistakes.`, `{H} learned that a mess is easy to fix when you do it together.`] },
  ],
};
