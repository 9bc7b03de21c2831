import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { Application } from './application.model';
import type { Group } from './group.model';
import type { Org } from './org.model';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare uid: string;
  declare applicationId: number;
  declare username: string;
  declare passwordHash: string;
  declare role: CreationOptional<string>;
  declare disabled: CreationOptional<boolean>;
  /** Optional; unique per application ignoring case (index on lower(email)). */
  declare email: CreationOptional<string | null>;
  /** The time of the latest login: the `timestamp` claim that change_password checks. */
  declare lastLoginAt: Date | null;
  /** Login tokens issued before this instant no longer work on jawth's own endpoints. */
  declare tokensValidAfter: Date | null;
  declare createdAt: CreationOptional<Date>;
  declare updatedAt: CreationOptional<Date>;

  declare application?: NonAttribute<Application>;
  declare groups?: NonAttribute<Group[]>;
  declare orgs?: NonAttribute<Org[]>;

  static initModel(sequelize: Sequelize): void {
    this.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        uid: { type: DataTypes.STRING(36), allowNull: false, unique: true },
        applicationId: { type: DataTypes.INTEGER, allowNull: false },
        username: { type: DataTypes.STRING(128), allowNull: false },
        passwordHash: { type: DataTypes.STRING(100), allowNull: false },
        role: { type: DataTypes.STRING(64), allowNull: false, defaultValue: 'user' },
        disabled: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        email: { type: DataTypes.STRING(254), allowNull: true, defaultValue: null },
        lastLoginAt: { type: DataTypes.DATE, allowNull: true },
        tokensValidAfter: { type: DataTypes.DATE, allowNull: true },
        createdAt: DataTypes.DATE,
        updatedAt: DataTypes.DATE,
      },
      { sequelize, tableName: 'users', underscored: true },
    );
  }
}
